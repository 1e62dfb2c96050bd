//! `passeur glossary …`: maintaining glossaries.
