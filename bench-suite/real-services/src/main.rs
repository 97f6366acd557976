//! `strait-real-services DIR`: writes each production service of its distro package to
//! `DIR/<service>/` (see the library) and prints the service directories. The configs map
//! directories relative to the working directory: run a service from its directory.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool"
)]

use std::path::PathBuf;

fn main() -> std::process::ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: strait-real-services DIR");
        return std::process::ExitCode::FAILURE;
    };
    for service in strait_real_services::services() {
        match strait_real_services::write(&dir, &service) {
            Ok(path) => println!("{}", path.display()),
            Err(e) => {
                eprintln!("cannot write {} to {}: {e}", service.name, dir.display());
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
