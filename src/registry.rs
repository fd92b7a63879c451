//! The engine registry searchrec ships: one line per engine crate.

use searchrec_engine::Registry;

/// Every engine kind `searchrec` knows.
pub fn registry() -> Registry {
    let mut r = Registry::new();
    r.register(Box::new(searchrec_shelf::ShelfFactory))
        .register(Box::new(searchrec_interest::InterestFactory))
        .register(Box::new(searchrec_exact::ExactFactory))
        .register(Box::new(searchrec_hybrid::HybridFactory))
        .register(Box::new(searchrec_postgres::PostgresFactory));
    r
}
