//! Graceful shutdown: no new connections, but requests in flight finish.

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::helpers::spawn_app;

async fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains(needle) {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "connection closed before {needle:?}; got {:?}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    String::from_utf8_lossy(&seen).into_owned()
}

sanus_core::engine_tests! {
    async fn shutdown_lets_requests_in_flight_finish(db: TestDatabase) {
        let mut app = spawn_app(db).await;
        let address = app.address;
        let body = "locale=de&next=%2Fsignin";
        let mut stream = TcpStream::connect(address).await.unwrap();
        let head = format!(
            "POST /locale HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nExpect: 100-continue\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        // The server asks for the body only once the handler reads it: from
        // here on the request is in flight.
        read_until(&mut stream, "100 Continue").await;

        app.begin_shutdown();
        // Wait until the listener is gone (bounded, no sleeping).
        let mut refused = false;
        for _ in 0..100_000 {
            if TcpStream::connect(address).await.is_err() {
                refused = true;
                break;
            }
            tokio::task::yield_now().await;
        }
        assert!(refused, "new connections are refused after the signal");

        stream.write_all(body.as_bytes()).await.unwrap();
        let response = read_until(&mut stream, "\r\n\r\n").await;
        assert!(response.contains("303 See Other"), "{response}");
        assert!(response.to_ascii_lowercase().contains("location: /signin"), "{response}");
        drop(stream);
        app.join().await.unwrap();
    }
}
