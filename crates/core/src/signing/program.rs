//! Running the signing program the way git does for `gpg.format=ssh`:
//! `ssh-keygen -Y sign -n NAMESPACE -f KEY [-U] FILE` (or git's `gpg.ssh.program`).
//! The program owns the private key: it asks for a passphrase on the terminal,
//! talks to ssh-agent, and drives hardware keys. Its output is never trusted; the
//! caller verifies the signature it wrote before using it.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Code, Error, Result};

/// One signing run.
pub(super) struct Run<'a> {
    /// The program (`ssh-keygen`, or `gpg.ssh.program`).
    pub program: &'a str,
    /// What `-f` names: a private key, a `.pub` file, or a temp file holding a literal.
    pub key_file: &'a Path,
    /// Pass `-U`: the private key must come from ssh-agent.
    pub agent: bool,
    /// The SSHSIG namespace.
    pub namespace: &'a str,
    /// The text to sign.
    pub text: &'a str,
    /// The key as messages name it.
    pub shown: &'a str,
}

/// Writes `bytes` to a new file only its owner may read.
pub(super) fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(bytes))
        .map_err(|e| Error::io("write", path, e))
}

/// Refuses early, with a fix, when ssh-agent cannot be reached.
pub(super) fn require_agent(shown: &str) -> Result<()> {
    let hint = format!(
        "start ssh-agent and add the key (`eval \"$(ssh-agent)\"` then `ssh-add ~/.ssh/id_ed25519`), or sign with the private key file instead of {shown}"
    );
    let Some(socket) = std::env::var_os("SSH_AUTH_SOCK").filter(|s| !s.is_empty()) else {
        return Err(Error::with_hint(
            Code::NoSshAgent,
            format!("{shown} needs ssh-agent, and no agent is running (SSH_AUTH_SOCK is not set)"),
            hint,
        ));
    };
    if let Err(e) = std::os::unix::net::UnixStream::connect(&socket) {
        return Err(Error::with_hint(
            Code::NoSshAgent,
            format!(
                "{shown} needs ssh-agent, and the agent at SSH_AUTH_SOCK={} cannot be reached: {e}",
                Path::new(&socket).display()
            ),
            hint,
        ));
    }
    Ok(())
}

/// Runs the program over `run.text` and returns the PEM signature it wrote.
/// Passphrase prompts go to the terminal, as they do when git signs a commit.
pub(super) fn sign(run: &Run<'_>) -> Result<String> {
    let dir = tempfile::Builder::new()
        .prefix("medreview-sign-")
        .tempdir()
        .map_err(|e| Error::io("create a temp folder in", &std::env::temp_dir(), e))?;
    let message = dir.path().join("entry.txt");
    write_private(&message, run.text.as_bytes())?;
    let mut command = Command::new(run.program);
    command
        .args(["-Y", "sign", "-n", run.namespace, "-f"])
        .arg(run.key_file);
    if run.agent {
        command.arg("-U");
    }
    let output = command
        .arg(&message)
        .stdin(Stdio::inherit())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| cannot_run(run.program, &e))?;
    if !output.status.success() {
        return Err(failed(
            run,
            &String::from_utf8_lossy(&output.stderr),
            output.status.code(),
        ));
    }
    let sig = dir.path().join("entry.txt.sig");
    std::fs::read_to_string(&sig).map_err(|_| {
        Error::new(
            Code::SigningFailed,
            format!("{} reported success but wrote no signature", run.program),
        )
    })
}

fn cannot_run(program: &str, e: &std::io::Error) -> Error {
    let why = if e.kind() == std::io::ErrorKind::NotFound {
        "it is not installed or not on PATH".to_owned()
    } else {
        e.to_string()
    };
    Error::with_hint(
        Code::MissingProgram,
        format!("cannot run {program} to sign: {why}"),
        "install OpenSSH's ssh-keygen (Debian/Ubuntu: apt-get install openssh-client), or point git config gpg.ssh.program at it",
    )
}

/// Says why the program failed, from what it printed, with the fix.
fn failed(run: &Run<'_>, stderr: &str, code: Option<i32>) -> Error {
    let detail: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty()
                && !l.starts_with('@')
                && !l.starts_with("Signing file")
                && !l.starts_with("Write signature")
        })
        .collect();
    let said = |needle: &str| detail.iter().any(|l| l.contains(needle));
    let (Run { program, shown, .. }, text) = (run, detail.join("; "));
    let why = match (text.is_empty(), code) {
        (_, None) => "it was interrupted".to_owned(),
        (true, Some(code)) => format!("it exited with {code}"),
        (false, _) => text,
    };
    let hint = if said("passphrase") {
        format!(
            "the passphrase was wrong or not typed: run the command again on a terminal and type it, or add the key to ssh-agent once (`ssh-add {}`)",
            run.key_file.display()
        )
    } else if said("UNPROTECTED PRIVATE KEY") || said("too open") {
        format!("make the private key readable only by you: chmod 600 {shown}")
    } else if said("find key in agent") {
        "the agent does not hold this key: add it with `ssh-add PRIVATE_KEY` (`ssh-add -L` lists the keys it holds)".to_owned()
    } else if said("No private key found") {
        "the private key is neither next to the .pub file nor in ssh-agent: `ssh-add` it, or name the private key file instead".to_owned()
    } else if said("agent") {
        "check that ssh-agent is running and SSH_AUTH_SOCK points at it (`ssh-add -l`)".to_owned()
    } else if said("load public key") && run.key_file.exists() {
        "ssh-keygen needs the public half beside the private key: `ssh-keygen -y -f KEY > KEY.pub`"
            .to_owned()
    } else if said("No such file") || said("Permission denied") {
        format!("check that {shown} exists and you may read it")
    } else if code.is_none() {
        "nothing was recorded; run the command again to sign".to_owned()
    } else {
        format!(
            "try `{program} -Y sign -n {} -f KEY FILE` by hand to see why; git config gpg.ssh.program picks another program",
            run.namespace
        )
    };
    Error::with_hint(
        Code::SigningFailed,
        format!("{program} could not sign with {shown}: {why}"),
        hint,
    )
}
