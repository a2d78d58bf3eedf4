//! A real Kafka-protocol broker for tests: tansu, in memory, on a free loopback port, started
//! per test and killed when the handle drops.
//!
//! tansu comes from `$RTDE_TANSU` or PATH (`cargo install tansu --features dynostore`); a
//! missing binary fails the test with that instruction.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Tansu {
    child: Child,
    pub address: String,
}

fn tansu_binary() -> PathBuf {
    if let Some(path) = std::env::var_os("RTDE_TANSU") {
        return PathBuf::from(path);
    }
    let on_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .chain(std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo/bin")))
        .map(|dir| dir.join("tansu"))
        .find(|candidate| candidate.is_file());
    on_path.unwrap_or_else(|| {
        panic!("tansu not found: install it with `cargo install tansu --features dynostore` or set RTDE_TANSU")
    })
}

impl Tansu {
    pub fn start() -> Tansu {
        // Ask the OS for a free port, then hand it to tansu.
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = format!("127.0.0.1:{port}");
        let url = format!("tcp://{address}");
        let child = Command::new(tansu_binary())
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
                "--storage-engine",
                "memory://tansu/",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting tansu");
        let tansu = Tansu { child, address };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(
            &tansu.address.parse().unwrap(),
            Duration::from_millis(200),
        )
        .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "tansu did not accept connections on {} within 30 s",
                tansu.address
            );
            // Poll again after a short backoff rather than spinning.
            std::thread::park_timeout(Duration::from_millis(50));
        }
        tansu
    }
}

impl Drop for Tansu {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
