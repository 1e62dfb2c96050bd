//! Integration tests: the passeur binary, run as a user runs it, on the real CTranslate2
//! engine with the tiny test model in tests/fixtures/tiny-fr-en.

mod bad_input;
mod batches;
mod editor;
mod fake_hub;
mod fixture;
mod formats;
mod glossary;
mod languages;
mod model_fetch;
mod models;
mod review;
mod segment;
mod shards;
mod translate;
mod truth;
