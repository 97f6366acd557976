//! Marine's and fluence-app-service's APIs on both engines, one test binary (each binary links
//! both engines, so one keeps the test build small).

mod app_service;
mod marine;
