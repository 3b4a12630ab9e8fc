// The review desk's only script: passkey calls (sign in, make a passkey, sign an
// entry) and text selection for comments. Every page works without it except
// these; it never builds HTML from data (text goes in with textContent).
"use strict";

const b64 = {
  encode(buffer) {
    const bytes = new Uint8Array(buffer);
    let text = "";
    for (const b of bytes) text += String.fromCharCode(b);
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
  decode(text) {
    const plain = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
    return Uint8Array.from(plain, (c) => c.charCodeAt(0));
  },
};

function csrf() {
  const meta = document.querySelector('meta[name="csrf"]');
  return meta ? meta.content : "";
}

async function post(url, body) {
  const response = await fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body || {}),
  });
  let data = {};
  try { data = await response.json(); } catch (_) { data = {}; }
  if (!response.ok) {
    const error = new Error(data.error || ("the desk answered " + response.status));
    error.hint = data.hint;
    error.live = data.live === true;
    throw error;
  }
  return data;
}

function say(element, text, hint) {
  if (!element) return;
  element.textContent = hint ? text + " What to do: " + hint : text;
}

function assertionJson(credential) {
  const r = credential.response;
  return {
    authenticator_data: b64.encode(r.authenticatorData),
    client_data_json: b64.encode(r.clientDataJSON),
    signature: b64.encode(r.signature),
    user_handle: r.userHandle ? b64.encode(r.userHandle) : null,
  };
}

async function signIn(status) {
  say(status, "Waiting for your passkey…");
  try {
    const begin = await post("/signin/begin");
    const credential = await navigator.credentials.get({
      publicKey: {
        challenge: b64.decode(begin.challenge),
        rpId: begin.rp_id,
        userVerification: "required",
        timeout: 120000,
      },
    });
    const done = await post("/signin/finish", assertionJson(credential));
    window.location.assign(done.next);
  } catch (e) {
    say(status, "Not signed in: " + e.message, e.hint);
  }
}

async function enroll(button, status) {
  say(status, "Waiting for your device…");
  try {
    const token = button.dataset.token;
    const begin = await post("/enroll/" + encodeURIComponent(token) + "/begin");
    const credential = await navigator.credentials.create({
      publicKey: {
        challenge: b64.decode(begin.challenge),
        rp: { id: begin.rp_id, name: "medreview desk" },
        user: { id: b64.decode(begin.user_id), name: begin.user_name, displayName: begin.user_name },
        pubKeyCredParams: [{ type: "public-key", alg: -7 }],
        authenticatorSelection: { residentKey: "required", userVerification: "required" },
        attestation: "none",
        timeout: 120000,
      },
    });
    const r = credential.response;
    const made = await post("/enroll/" + encodeURIComponent(token) + "/finish", {
      public_key: b64.encode(r.getPublicKey()),
      authenticator_data: b64.encode(r.getAuthenticatorData()),
      client_data_json: b64.encode(r.clientDataJSON),
    });
    say(status, "");
    document.getElementById("steps").textContent = made.steps;
    document.getElementById("public-key").textContent = made.public_key;
    document.getElementById("enrolled").hidden = false;
    button.disabled = true;
  } catch (e) {
    say(status, "No passkey was made: " + e.message, e.hint);
  }
}

async function signForm(form) {
  const status = form.querySelector(".status");
  const shown = document.querySelector(".signing-text");
  const fields = { op: form.dataset.sign, csrf: csrf() };
  for (const [name, value] of new FormData(form).entries()) fields[name] = value;
  if (form.dataset.goAhead === "yes") fields.go_ahead = "yes";
  say(status, "Preparing…");
  try {
    const prepared = await post("/sign/prepare", fields);
    if (shown) {
      shown.textContent = "Your passkey signs exactly this:\n\n" + prepared.text;
      shown.hidden = false;
    }
    say(status, "Waiting for your passkey…");
    const credential = await navigator.credentials.get({
      publicKey: {
        challenge: b64.decode(prepared.challenge),
        rpId: prepared.rp_id,
        userVerification: "required",
        timeout: 120000,
      },
    });
    const answer = assertionJson(credential);
    answer.csrf = csrf();
    const done = await post("/sign/finish", answer);
    window.location.assign(done.next);
  } catch (e) {
    if (e.live) {
      // What readers will see next; the next press goes ahead.
      form.dataset.goAhead = "yes";
      say(status, e.message, e.hint);
      return;
    }
    say(status, "Nothing was recorded: " + e.message, e.hint);
  }
}

// The text of a range without what the desk adds to the page (the lint panel,
// comment notes in the margin): only the article's own words. Lint marks wrap the
// article's words, so their text stays.
function wordsOf(range) {
  const copy = range.cloneContents();
  for (const added of copy.querySelectorAll("aside.comment, .medreview-lint-panel")) added.remove();
  return copy.textContent;
}

// Words selected on the page as patients see it become the comment's quote, with
// up to 32 characters around them to tell repeated words apart.
function watchSelection(frame) {
  const doc = frame.contentDocument;
  if (!doc) return;
  doc.addEventListener("mouseup", () => {
    const selection = doc.getSelection();
    if (!selection || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const quote = wordsOf(range).trim();
    if (!quote) return;
    // The context is read across marks (lint, comments) within the paragraph.
    const node = range.commonAncestorContainer;
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const block = element.closest("p, li, h1, h2, h3, h4, h5, h6, td, th, blockquote, dd, dt") || doc.body;
    const head = doc.createRange();
    head.setStart(block, 0);
    head.setEnd(range.startContainer, range.startOffset);
    const tail = doc.createRange();
    tail.setStart(range.endContainer, range.endOffset);
    tail.setEnd(block, block.childNodes.length);
    const before = wordsOf(head);
    const after = wordsOf(tail);
    document.getElementById("comment-quote").value = quote;
    document.getElementById("comment-prefix").value = before.slice(-32);
    document.getElementById("comment-suffix").value = after.slice(0, 32);
    document.getElementById("comment-quote").focus();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const signin = document.getElementById("signin");
  if (signin) signin.addEventListener("click", () => signIn(document.getElementById("status")));
  const enrollButton = document.getElementById("enroll");
  if (enrollButton) enrollButton.addEventListener("click", () => enroll(enrollButton, document.getElementById("status")));
  for (const form of document.querySelectorAll("form[data-sign]")) {
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      signForm(form);
    });
  }
  const preview = document.getElementById("preview");
  if (preview) {
    if (preview.contentDocument && preview.contentDocument.readyState === "complete") watchSelection(preview);
    preview.addEventListener("load", () => watchSelection(preview));
  }
});
