//! The web pages a web view lands on at the end of the SSO flow (§13.2 step 5, §13.3): `/`
//! (`/?token=…`), `/login` and `/login/error?messageKey=n`. Small static HTML, so that a web view
//! does not show a 404; a native client intercepts the navigation anyway.

use hyper::{Method, Response};

use super::WebReq;
use crate::http::{empty, response, Body};

fn page(title: &str, text: &str) -> Response<Body> {
    let html = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{title}</title></head>\
         <body><h1>{title}</h1><p>{text}</p></body></html>\n"
    );
    response(200, Some("text/html; charset=utf-8"), html)
}

pub(super) fn route(w: &WebReq, lower: &str) -> Response<Body> {
    let known = matches!(lower, "/" | "/login" | "/login/" | "/login/error");
    if !known {
        return empty(404);
    }
    if w.method != Method::GET && w.method != Method::HEAD {
        return empty(405);
    }
    match lower {
        "/" => page("ONLYOFFICE DocSpace", "DocSpace emulator."),
        "/login/error" => {
            let key: String = w
                .param("messageKey")
                .unwrap_or("")
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            page("Sign-in error", &format!("messageKey {key}"))
        }
        _ => page("Sign in", "DocSpace emulator login page."),
    }
}
