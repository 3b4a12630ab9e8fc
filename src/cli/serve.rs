//! `medreview serve`: the review desk, where doctors review and sign in a browser
//! with passkeys; `serve --invite ID` makes the link a person uses to make one.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;

use super::{Ctx, say};
use medreview_core::error::Result;
use medreview_core::ids::Id;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on (loopback by default; put a TLS reverse proxy in front for others)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The address people open, e.g. https://desk.example.org; its host is the passkeys' relying party (default http://localhost:PORT)
    #[arg(long, value_name = "URL")]
    origin: Option<String>,
    /// Sync with the team's remote before showing a page when the last sync is older than this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    sync_every: u64,
    /// Print a one-time link that lets roster member ID make a passkey, then exit (run by an admin)
    #[arg(long, value_name = "ID")]
    invite: Option<String>,
}

/// Runs `serve`.
pub fn cmd_serve(ctx: &mut Ctx<'_>, args: ServeArgs) -> Result<ExitCode> {
    let ws = ctx.workspace()?;
    if let Some(person) = &args.invite {
        let person = Id::parse("person id (--invite)", person)?;
        let origin = args
            .origin
            .clone()
            .unwrap_or_else(|| format!("http://localhost:{}", args.listen.port()));
        let invitation =
            medreview_desk::invite(&ws, &person, &origin, medreview_core::clock::now()?)?;
        say(ctx.out, &invitation.url)?;
        say(
            ctx.err,
            &format!(
                "Send this link to {} (valid until {}, once). It lets them make a passkey; it counts once its public key is on the roster, as the page then says.",
                invitation.person,
                medreview_core::clock::short(&invitation.expires)
            ),
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let options = medreview_desk::Options {
        root: ws.root().to_path_buf(),
        listen: args.listen,
        origin: args.origin,
        sync_every: Duration::from_secs(args.sync_every),
    };
    drop(ws);
    let err = &mut *ctx.err;
    medreview_desk::serve(options, |addr, origin| {
        let _ = say(
            err,
            &format!("The review desk listens on {addr}; open {origin} (Ctrl-C stops it)."),
        );
    })?;
    Ok(ExitCode::SUCCESS)
}
