//! The throwaway server the tests share: started by the first test that
//! asks, stopped when the last one holding it finishes. No PostgreSQL
//! binaries is a failure with the install command in it, never a skip.

use std::sync::{Arc, Mutex, Weak};

use searchrec_postgres::ThrowawayServer;

/// A shared throwaway server.
pub struct TestServer(ThrowawayServer);

impl TestServer {
    pub fn shared() -> Arc<TestServer> {
        static SHARED: Mutex<Weak<TestServer>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(server) = shared.upgrade() {
            return server;
        }
        let server = Arc::new(TestServer(ThrowawayServer::start().unwrap_or_else(|e| panic!("{e}"))));
        *shared = Arc::downgrade(&server);
        server
    }

    pub fn url(&self) -> &str {
        self.0.url()
    }

    /// A client, for looking at what an engine left on the server.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(self.url(), postgres::NoTls).expect("the test server accepts connections")
    }
}
