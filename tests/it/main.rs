//! Integration tests: one binary. Database tests run on SQLite and on PostgreSQL (see
//! `support::db_test!`); blob tests on the local disk, in memory and on S3 when configured.

mod support;

mod accounts;
mod agencies;
mod architecture;
mod audit;
mod auth;
mod blobs;
mod cli;
mod demo;
mod documents;
mod e2e;
mod extraction;
mod files;
mod http_basics;
mod jobs;
mod migrations;
mod names;
mod openapi;
mod records;
mod scoring;
mod search;
mod ui;
mod users;
