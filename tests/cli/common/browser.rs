//! A real headless Chromium driven over the DevTools protocol (CDP), for end-to-end
//! tests of web pages: `Browser::launch` starts it with a fresh profile and opens a
//! page; a `Page` navigates, evaluates script, clicks, types, selects text, takes
//! screenshots, reads and sets cookies, and drives Chromium's virtual WebAuthn
//! authenticator (passkeys). Every wait is bounded and names what it awaited; the
//! browser is killed and its profile removed when the `Browser` is dropped.
//!
//! WebAuthn needs a secure context and a valid RP id: serve pages on 127.0.0.1 but
//! open them as `http://localhost:PORT` (an IP address is not a valid RP id).

use std::cell::RefCell;
use std::collections::HashMap;
use std::fs;
use std::io::ErrorKind;
use std::net::TcpStream;
use std::ops::Deref;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use base64ct::{Base64, Encoding};
use serde_json::{Value, json};
use tempfile::TempDir;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

/// How long Chromium may take to start and say where its DevTools endpoint is.
pub const LAUNCH_TIMEOUT: Duration = Duration::from_secs(15);

/// How long one DevTools command may take to answer (a promise awaited by `eval`
/// included).
pub const CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// How long `goto` and `wait_for` poll before giving up.
pub const WAIT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often `goto` and `wait_for` poll.
const POLL: Duration = Duration::from_millis(25);

/// At most this many console lines are kept per page (the oldest are dropped).
const CONSOLE_LINES: usize = 200;

/// Chromium, when installed (required under MEDREVIEW_REQUIRE_TOOLS).
pub fn chromium() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .map(|dir| dir.join("chromium"))
        .find(|path| path.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("MEDREVIEW_REQUIRE_TOOLS").is_none(),
            "chromium is required (MEDREVIEW_REQUIRE_TOOLS is set) but not installed"
        );
        eprintln!("skipped: chromium is not installed (apt-get install chromium)");
    }
    found
}

/// The one WebSocket to the browser, shared by every page (each page is a CDP
/// session on it).
struct Connection {
    socket: WebSocket<TcpStream>,
    next_id: u64,
    /// Console messages and uncaught exceptions, by session id.
    console: HashMap<String, Vec<String>>,
    /// Chromium's standard error, for messages.
    stderr_log: PathBuf,
}

impl Connection {
    /// Sends one command (to `session`, or to the browser itself) and waits at most
    /// `timeout` for its answer; events read meanwhile are noted, not returned.
    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::text(message.to_string()))
            .map_err(|e| format!("sending {method} to Chromium failed: {e}"))?;
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let text = match self.socket.read() {
                Ok(Message::Text(text)) => text,
                Ok(Message::Close(_)) => {
                    return Err(format!("Chromium closed the connection awaiting {method}"));
                }
                Ok(_) => continue,
                Err(tungstenite::Error::Io(e))
                    if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) =>
                {
                    continue;
                }
                Err(e) => return Err(format!("reading Chromium's answer to {method}: {e}")),
            };
            let reply: Value = serde_json::from_str(text.as_str())
                .map_err(|e| format!("Chromium sent something that is not JSON ({e})"))?;
            if reply["id"].as_u64() == Some(id) {
                if let Some(error) = reply.get("error") {
                    let mut text = error["message"].as_str().unwrap_or("error").to_owned();
                    if let Some(data) = error["data"].as_str() {
                        text.push_str(": ");
                        text.push_str(data);
                    }
                    return Err(format!("{method} failed: {text}"));
                }
                return Ok(reply["result"].clone());
            }
            if reply.get("method").is_some() {
                self.note_event(&reply);
            }
        }
        Err(format!(
            "timed out after {timeout:?} awaiting Chromium's answer to {method}"
        ))
    }

    /// Keeps console output and uncaught exceptions, so failures can show them.
    fn note_event(&mut self, event: &Value) {
        let Some(session) = event["sessionId"].as_str() else {
            return;
        };
        let params = &event["params"];
        let line = match event["method"].as_str() {
            Some("Runtime.consoleAPICalled") => {
                let args: Vec<String> = params["args"]
                    .as_array()
                    .map(|args| {
                        args.iter()
                            .map(|a| match &a["value"] {
                                Value::String(s) => s.clone(),
                                Value::Null => a["description"].as_str().unwrap_or("").to_owned(),
                                other => other.to_string(),
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                format!(
                    "console.{}: {}",
                    params["type"].as_str().unwrap_or("log"),
                    args.join(" ")
                )
            }
            Some("Runtime.exceptionThrown") => {
                let details = &params["exceptionDetails"];
                let text = details["exception"]["description"]
                    .as_str()
                    .or(details["text"].as_str())
                    .unwrap_or("exception");
                format!("uncaught: {text}")
            }
            Some("Log.entryAdded") => format!(
                "{} {}: {}",
                params["entry"]["source"].as_str().unwrap_or("log"),
                params["entry"]["level"].as_str().unwrap_or(""),
                params["entry"]["text"].as_str().unwrap_or("")
            ),
            _ => return,
        };
        let lines = self.console.entry(session.to_owned()).or_default();
        if lines.len() >= CONSOLE_LINES {
            lines.remove(0);
        }
        lines.push(line);
    }

    /// Chromium's standard error so far.
    fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr_log).unwrap_or_default()
    }
}

/// A running headless Chromium with one page open; derefs to that page.
pub struct Browser {
    child: Child,
    connection: Rc<RefCell<Connection>>,
    page: Page,
    /// Holds the profile, Chromium's home and its log; removed on drop.
    _dir: TempDir,
}

impl Browser {
    /// Starts Chromium with a fresh profile and opens a blank page, or `None` (with
    /// a `skipped:` message) when Chromium is not installed; under
    /// `MEDREVIEW_REQUIRE_TOOLS` its absence fails the test.
    pub fn launch() -> Option<Browser> {
        let program = chromium()?;
        let dir = tempfile::Builder::new()
            .prefix("medreview-chromium-")
            .tempdir()
            .expect("create a temp folder for Chromium");
        let profile = dir.path().join("profile");
        let home = dir.path().join("home");
        fs::create_dir_all(&home).expect("create Chromium's home folder");
        let stderr_log = dir.path().join("chromium.log");
        let stderr = fs::File::create(&stderr_log).expect("create Chromium's log");
        let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
        let mut child = Command::new(&program)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--password-store=basic",
                "--hide-scrollbars",
                "--window-size=1200,1000",
                "--lang=en-US",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .env_clear()
            .env("PATH", path)
            .env("HOME", &home)
            .env("LANG", "C.UTF-8")
            .env("TZ", "UTC")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr)
            // Its own process group, so the helpers it starts can be ended with it.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));

        let (port, path) = match devtools_endpoint(&mut child, &profile) {
            Ok(found) => found,
            Err(why) => {
                end(&mut child);
                let log = fs::read_to_string(&stderr_log).unwrap_or_default();
                panic!("Chromium's DevTools endpoint: {why}\nChromium's stderr:\n{log}");
            }
        };
        let socket = match connect(port, &path) {
            Ok(socket) => socket,
            Err(why) => {
                end(&mut child);
                let log = fs::read_to_string(&stderr_log).unwrap_or_default();
                panic!("connecting to Chromium's DevTools: {why}\nChromium's stderr:\n{log}");
            }
        };
        let connection = Rc::new(RefCell::new(Connection {
            socket,
            next_id: 0,
            console: HashMap::new(),
            stderr_log,
        }));
        let page = Page::open(&connection, None);
        Some(Browser {
            child,
            connection,
            page,
            _dir: dir,
        })
    }

    /// The page opened at launch.
    pub fn page(&self) -> &Page {
        &self.page
    }

    /// Opens another page (tab) sharing the first page's cookies and storage.
    pub fn new_page(&self) -> Page {
        Page::open(&self.connection, None)
    }

    /// Opens a page in a fresh browser context: its own cookie jar and storage, as
    /// if another person signed in on another machine.
    pub fn new_isolated_page(&self) -> Page {
        let context = self
            .connection
            .borrow_mut()
            .call(
                None,
                "Target.createBrowserContext",
                json!({ "disposeOnDetach": true }),
                CALL_TIMEOUT,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let context = context["browserContextId"]
            .as_str()
            .expect("a browser context id")
            .to_owned();
        Page::open(&self.connection, Some(context))
    }

    /// Chromium's standard error so far.
    pub fn stderr(&self) -> String {
        self.connection.borrow().stderr()
    }
}

impl Deref for Browser {
    type Target = Page;

    fn deref(&self) -> &Page {
        &self.page
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Asked to close, Chromium ends its helpers itself; the kill is the fallback.
        if let Ok(mut connection) = self.connection.try_borrow_mut() {
            let _ = connection.call(None, "Browser.close", json!({}), Duration::from_secs(3));
        }
        end(&mut self.child);
    }
}

/// Waits (bounded) for Chromium to exit, then kills its process group (any helper
/// left behind) and reaps it.
fn end(child: &mut Child) {
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(5);
    // The leader is not reaped here, so its id (the group's id) cannot be reused.
    while Instant::now() < deadline && !exited(pid) {
        sleep(Duration::from_millis(20));
    }
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pid}")])
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
    let _ = child.wait();
}

/// Whether process `pid` has exited (a zombie, not yet reaped, counts).
fn exited(pid: u32) -> bool {
    match fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name, which is in parentheses.
        Ok(stat) => stat
            .rsplit_once(')')
            .is_none_or(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        Err(_) => true,
    }
}

/// Reads the port and browser path Chromium writes to `DevToolsActivePort` in its
/// profile, waiting at most `LAUNCH_TIMEOUT`.
fn devtools_endpoint(child: &mut Child, profile: &Path) -> Result<(u16, String), String> {
    let file = profile.join("DevToolsActivePort");
    let deadline = Instant::now() + LAUNCH_TIMEOUT;
    while Instant::now() < deadline {
        if let Ok(text) = fs::read_to_string(&file) {
            let mut lines = text.lines();
            if let (Some(port), Some(path)) = (lines.next(), lines.next()) {
                let port = port
                    .trim()
                    .parse()
                    .map_err(|_| format!("{} holds no port: {text:?}", file.display()))?;
                return Ok((port, path.trim().to_owned()));
            }
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("Chromium exited ({status}) before writing it"));
        }
        sleep(Duration::from_millis(50));
    }
    Err(format!(
        "timed out after {LAUNCH_TIMEOUT:?} awaiting {}",
        file.display()
    ))
}

/// Opens the browser's DevTools WebSocket (plain `ws://` on loopback).
fn connect(port: u16, path: &str) -> Result<WebSocket<TcpStream>, String> {
    let stream = TcpStream::connect_timeout(
        &std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        Duration::from_secs(5),
    )
    .map_err(|e| format!("connect to 127.0.0.1:{port}: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .and_then(|()| stream.set_write_timeout(Some(Duration::from_secs(10))))
        .map_err(|e| format!("set socket timeouts: {e}"))?;
    // Full-page screenshots arrive as one large message.
    let config = WebSocketConfig::default()
        .max_message_size(Some(256 << 20))
        .max_frame_size(Some(256 << 20));
    let url = format!("ws://127.0.0.1:{port}{path}");
    let (socket, _) = tungstenite::client::client_with_config(url.as_str(), stream, Some(config))
        .map_err(|e| format!("WebSocket handshake with {url}: {e}"))?;
    // Short reads from here on, so every wait checks its own deadline.
    socket
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(200)))
        .map_err(|e| format!("set socket timeout: {e}"))?;
    Ok(socket)
}

/// One page (a tab) of the browser, attached as a flat CDP session.
pub struct Page {
    connection: Rc<RefCell<Connection>>,
    session: String,
}

impl Page {
    /// Creates a blank page (in `context`, or the default one) and attaches to it.
    fn open(connection: &Rc<RefCell<Connection>>, context: Option<String>) -> Page {
        let mut params = json!({ "url": "about:blank" });
        if let Some(context) = &context {
            params["browserContextId"] = json!(context);
        }
        let mut conn = connection.borrow_mut();
        let target = conn
            .call(None, "Target.createTarget", params, CALL_TIMEOUT)
            .unwrap_or_else(|e| panic!("{e}"));
        let target = target["targetId"].as_str().expect("a target id").to_owned();
        let session = conn
            .call(
                None,
                "Target.attachToTarget",
                json!({ "targetId": target, "flatten": true }),
                CALL_TIMEOUT,
            )
            .unwrap_or_else(|e| panic!("{e}"));
        let session = session["sessionId"]
            .as_str()
            .expect("a session id")
            .to_owned();
        drop(conn);
        let page = Page {
            connection: Rc::clone(connection),
            session,
        };
        // Console output and errors (a CSP violation, say) are kept for messages.
        page.call("Runtime.enable", json!({}));
        page.call("Log.enable", json!({}));
        page.call("Page.enable", json!({}));
        page
    }

    /// Sends a DevTools command to this page; returns its result or the CDP error.
    pub fn try_call(&self, method: &str, params: Value) -> Result<Value, String> {
        self.connection
            .borrow_mut()
            .call(Some(&self.session), method, params, CALL_TIMEOUT)
    }

    /// Sends a DevTools command to this page and returns its result; panics with the
    /// CDP error message (and the page's console) if it fails.
    pub fn call(&self, method: &str, params: Value) -> Value {
        self.try_call(method, params)
            .unwrap_or_else(|e| panic!("{e}{}", self.console_note()))
    }

    /// Navigates to `url` and waits until the new document's `readyState` is
    /// `complete`.
    pub fn goto(&self, url: &str) {
        // The old document is marked, so its own `complete` is not mistaken for the
        // new one's (a new document never carries the mark).
        let _ = self.try_eval("document.medreviewLeft = true");
        let result = self.call("Page.navigate", json!({ "url": url }));
        if let Some(error) = result["errorText"].as_str() {
            panic!("navigating to {url} failed: {error}{}", self.console_note());
        }
        // A navigation within the document (a fragment) has no loader, and no new
        // document.
        let condition = if result.get("loaderId").is_some() {
            "!document.medreviewLeft && document.readyState === 'complete'"
        } else {
            "document.readyState === 'complete'"
        };
        self.wait_for(condition, &format!("{url} to load"));
    }

    /// Evaluates `js` (an expression; a promise is awaited) in the page and returns
    /// its value as JSON, or the text of what it threw.
    pub fn try_eval(&self, js: &str) -> Result<Value, String> {
        let result = self.try_call(
            "Runtime.evaluate",
            json!({
                "expression": js,
                "awaitPromise": true,
                "returnByValue": true,
                "userGesture": true,
            }),
        )?;
        if let Some(details) = result.get("exceptionDetails") {
            let text = details["exception"]["description"]
                .as_str()
                .or(details["exception"]["value"].as_str())
                .or(details["text"].as_str())
                .unwrap_or("an exception");
            return Err(format!("{js}\nthrew: {text}"));
        }
        Ok(result["result"]["value"].clone())
    }

    /// Evaluates `js` (an expression; a promise is awaited) in the page and returns
    /// its value as JSON (`undefined` is `null`); panics with the exception text if
    /// it throws.
    pub fn eval(&self, js: &str) -> Value {
        self.try_eval(js)
            .unwrap_or_else(|e| panic!("{e}{}", self.console_note()))
    }

    /// Polls `js` until it is truthy (at most `WAIT_TIMEOUT`) and returns its value;
    /// `what` names what was awaited in the timeout's message. Errors while polling
    /// (a navigation destroying the context, say) count as "not yet".
    pub fn wait_for(&self, js: &str, what: &str) -> Value {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        let mut last = String::from("never evaluated");
        while Instant::now() < deadline {
            match self.try_eval(js) {
                Ok(value) if truthy(&value) => return value,
                Ok(value) => last = format!("last value: {value}"),
                Err(e) => last = format!("last error: {e}"),
            }
            sleep(POLL);
        }
        panic!(
            "timed out after {WAIT_TIMEOUT:?} awaiting {what} ({js}); {last}{}",
            self.console_note()
        );
    }

    /// Clicks the middle of the first element matching `css` with real mouse events,
    /// after scrolling it into view; panics if none matches or another element
    /// covers that point.
    pub fn click(&self, css: &str) {
        let at = self.eval(&format!(
            "(() => {{
                const el = document.querySelector({css});
                if (!el) throw new Error('no element matches ' + {css});
                el.scrollIntoView({{ block: 'center', inline: 'center' }});
                const r = el.getBoundingClientRect();
                const x = r.left + r.width / 2, y = r.top + r.height / 2;
                const hit = document.elementFromPoint(x, y);
                if (!hit || !(hit === el || el.contains(hit))) {{
                    throw new Error({css} + ' is covered by ' + (hit ? hit.outerHTML.slice(0, 120) : 'nothing'));
                }}
                return [x, y];
            }})()",
            css = js_string(css)
        ));
        let (x, y) = (at[0].as_f64().unwrap_or(0.0), at[1].as_f64().unwrap_or(0.0));
        self.call(
            "Input.dispatchMouseEvent",
            json!({ "type": "mouseMoved", "x": x, "y": y }),
        );
        for kind in ["mousePressed", "mouseReleased"] {
            self.call(
                "Input.dispatchMouseEvent",
                json!({ "type": kind, "x": x, "y": y, "button": "left", "clickCount": 1 }),
            );
        }
    }

    /// Sets the value of the first element matching `css` (an input, a textarea or a
    /// select) to `text` and fires `input` and `change`, as typing would.
    pub fn fill(&self, css: &str, text: &str) {
        self.eval(&format!(
            "(() => {{
                const el = document.querySelector({css});
                if (!el) throw new Error('no element matches ' + {css});
                el.focus();
                el.value = {text};
                el.dispatchEvent(new Event('input', {{ bubbles: true }}));
                el.dispatchEvent(new Event('change', {{ bubbles: true }}));
            }})()",
            css = js_string(css),
            text = js_string(text)
        ));
    }

    /// Selects the first occurrence of `text` inside the first element matching
    /// `css` (it may span several text nodes), so `window.getSelection()` holds it,
    /// then fires `mouseup` on the element, as a reader's drag would.
    pub fn select_text(&self, css: &str, text: &str) {
        self.eval(&format!(
            "(() => {{
                const el = document.querySelector({css});
                if (!el) throw new Error('no element matches ' + {css});
                const wanted = {text};
                const nodes = [];
                let all = '';
                const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
                for (let n = walker.nextNode(); n; n = walker.nextNode()) {{
                    nodes.push([n, all.length]);
                    all += n.data;
                }}
                const start = all.indexOf(wanted);
                if (start < 0 || wanted.length === 0) {{
                    throw new Error({css} + ' does not contain ' + JSON.stringify(wanted));
                }}
                const end = start + wanted.length;
                const at = (offset, isEnd) => {{
                    for (const [n, from] of nodes) {{
                        const to = from + n.data.length;
                        if (isEnd ? offset <= to : offset < to) return [n, offset - from];
                    }}
                    throw new Error('offset out of range');
                }};
                const range = document.createRange();
                range.setStart(...at(start, false));
                range.setEnd(...at(end, true));
                const selection = window.getSelection();
                selection.removeAllRanges();
                selection.addRange(range);
                el.dispatchEvent(new MouseEvent('mouseup', {{ bubbles: true, cancelable: true, view: window }}));
            }})()",
            css = js_string(css),
            text = js_string(text)
        ));
    }

    /// The rendered text (`innerText`) of the first element matching `css`.
    pub fn text(&self, css: &str) -> String {
        let value = self.eval(&format!(
            "(() => {{
                const el = document.querySelector({css});
                if (!el) throw new Error('no element matches ' + {css});
                return el.innerText;
            }})()",
            css = js_string(css)
        ));
        value.as_str().unwrap_or_default().to_owned()
    }

    /// The page's current URL.
    pub fn url(&self) -> String {
        self.eval("location.href")
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Writes a PNG screenshot of the whole page (beyond the viewport) to `path`.
    pub fn screenshot(&self, path: &Path) {
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let width = size["width"].as_f64().unwrap_or(1200.0).max(1.0);
        let height = size["height"].as_f64().unwrap_or(1000.0).max(1.0);
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": width, "height": height, "scale": 1 },
            }),
        );
        let data = shot["data"].as_str().expect("screenshot data");
        let bytes = Base64::decode_vec(data).expect("screenshot data is base64");
        fs::write(path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    }

    /// The cookies the page's URL would send (`Network.getCookies`), as CDP gives
    /// them (`name`, `value`, `domain`, `httpOnly`, `sameSite`, ...).
    pub fn cookies(&self) -> Vec<Value> {
        let result = self.call("Network.getCookies", json!({}));
        result["cookies"].as_array().cloned().unwrap_or_default()
    }

    /// Sets cookie `name` to `value` for `url` in this page's cookie jar.
    pub fn set_cookie(&self, name: &str, value: &str, url: &str) {
        self.call(
            "Network.setCookie",
            json!({ "name": name, "value": value, "url": url }),
        );
    }

    /// Adds a virtual passkey authenticator to this page (a platform authenticator
    /// with resident keys and user verification that always verifies and needs no
    /// touch); returns its id.
    pub fn add_virtual_authenticator(&self) -> String {
        self.call("WebAuthn.enable", json!({ "enableUI": false }));
        let result = self.call(
            "WebAuthn.addVirtualAuthenticator",
            json!({ "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": true,
                "hasUserVerification": true,
                "isUserVerified": true,
                "automaticPresenceSimulation": true,
            }}),
        );
        result["authenticatorId"]
            .as_str()
            .expect("an authenticator id")
            .to_owned()
    }

    /// The credentials the virtual authenticator holds (`credentialId` and
    /// `userHandle` in standard base64, `rpId`, `isResidentCredential`, `signCount`, ...).
    pub fn credentials(&self, authenticator: &str) -> Vec<Value> {
        let result = self.call(
            "WebAuthn.getCredentials",
            json!({ "authenticatorId": authenticator }),
        );
        result["credentials"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Deletes a credential (its `credentialId`, standard base64) from the virtual
    /// authenticator, as a lost or wiped device would.
    pub fn remove_credential(&self, authenticator: &str, credential_id: &str) {
        self.call(
            "WebAuthn.removeCredential",
            json!({ "authenticatorId": authenticator, "credentialId": credential_id }),
        );
    }

    /// Whether the virtual authenticator's user verification (the fingerprint or PIN)
    /// succeeds from now on.
    pub fn set_user_verified(&self, authenticator: &str, verified: bool) {
        self.call(
            "WebAuthn.setUserVerified",
            json!({ "authenticatorId": authenticator, "isUserVerified": verified }),
        );
    }

    /// Console messages, uncaught exceptions and browser log entries (CSP violations,
    /// failed loads) this page produced so far, oldest first.
    pub fn console(&self) -> Vec<String> {
        self.connection
            .borrow()
            .console
            .get(&self.session)
            .cloned()
            .unwrap_or_default()
    }

    /// Waits (at most `WAIT_TIMEOUT`) until a console line of this page contains
    /// `needle`, and returns that line.
    pub fn wait_for_console(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(line) = self.console().into_iter().find(|l| l.contains(needle)) {
                return line;
            }
            // A round trip reads the events Chromium sent meanwhile.
            let _ = self.try_call("Runtime.evaluate", json!({ "expression": "0" }));
            sleep(POLL);
        }
        panic!(
            "timed out after {WAIT_TIMEOUT:?} awaiting a console line containing {needle:?}{}",
            self.console_note()
        );
    }

    /// The console lines for a failure message, or nothing when there are none.
    fn console_note(&self) -> String {
        let lines = match self.connection.try_borrow() {
            Ok(connection) => connection
                .console
                .get(&self.session)
                .cloned()
                .unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        if lines.is_empty() {
            String::new()
        } else {
            format!("\npage console:\n{}", lines.join("\n"))
        }
    }
}

/// `text` as a JavaScript string literal (JSON strings are valid JavaScript).
pub fn js_string(text: &str) -> String {
    Value::from(text).to_string()
}

/// JavaScript's truthiness of a JSON value.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}
