//! Every engine on a generated small world: conformance, ANN recall against
//! exact search, learned interest against popularity, and shelf search on
//! real titles. The world and each engine are built once per test binary.

mod conformance;
mod fixtures;
mod held_out;
mod recall;
mod shelf_titles;
