//! Every page of the journeys in English speaks English, and passes axe-core in a browser: the words hoso itself puts on a page
//! (labels, buttons, table heads, the names of facts, the menu) carry no Vietnamese, whatever the
//! data around them (the demo province's documents and people are Vietnamese). A string written
//! into a template or the code instead of the catalogues shows up here.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};

use super::{browser::Browser, browser_test};
use crate::support::{TestApp, db_test};

fn page(path: &str, token: &str, lang: &str) -> Request<Body> {
    Request::get(path)
        .header(
            header::COOKIE,
            format!("hoso_session={token}; hoso_lang={lang}"),
        )
        .body(Body::empty())
        .unwrap()
}

/// The text inside each `<tag …>…</tag>` of the page, its inner tags left out.
fn texts_of(html: &str, tag: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&format!("<{tag}")) {
        rest = &rest[start + tag.len() + 1..];
        if !rest.starts_with(['>', ' ']) {
            continue;
        }
        let Some(open_end) = rest.find('>') else {
            break;
        };
        let Some(close) = rest.find(&format!("</{tag}>")) else {
            break;
        };
        if close < open_end {
            continue;
        }
        let inner = &rest[open_end + 1..close];
        let mut text = String::new();
        let mut in_tag = false;
        for character in inner.chars() {
            match character {
                '<' => in_tag = true,
                '>' => in_tag = false,
                _ if !in_tag => text.push(character),
                _ => {}
            }
        }
        found.push(text.split_whitespace().collect::<Vec<_>>().join(" "));
        rest = &rest[close..];
    }
    found
}

fn vietnamese(text: &str) -> bool {
    text.chars().any(|character| {
        let plain: String = unicode_normalization::UnicodeNormalization::nfd(character)
            .filter(|mark| !('\u{300}'..='\u{36f}').contains(mark))
            .collect();
        plain != character.to_string() || matches!(character, 'đ' | 'Đ')
    })
}

/// The first link of the page to each of these kinds of page.
fn details_of(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for prefix in [
        "/documents/",
        "/records/",
        "/assessments/",
        "/periods/",
        "/versions/",
        "/attachments/",
    ] {
        if let Some(link) = html
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .find(|href| href.starts_with(prefix) && !href.contains("/file"))
        {
            found.push(link.replace("&amp;", "&").replace("&#38;", "&"));
        }
    }
    found
}

/// Each demo role, signed in, with its journeys' pages: where its menu leads and the first page
/// of each kind those link to.
struct RolePages {
    username: String,
    password: String,
    token: String,
    paths: Vec<String>,
}

async fn journeys_of(app: &TestApp, demo: &hoso::demo::Report) -> Vec<RolePages> {
    let journeys: [(&str, &[&str]); 6] = [
        (
            "thuky.skhcn",
            &[
                "/",
                "/documents",
                "/search?q=quy+tr%C3%ACnh",
                "/assessments",
                "/account",
            ],
        ),
        ("lanhdao.skhcn", &["/approvals", "/audits"]),
        ("danhgia.skhcn", &["/audits"]),
        ("canbo.skhcn", &["/reading"]),
        ("dieuphoi", &["/", "/assessments", "/criteria-sets"]),
        ("thamdinh", &["/assessments"]),
    ];
    let mut roles = Vec::new();
    for (user, roots) in journeys {
        let account = demo
            .accounts
            .iter()
            .find(|account| account.username == user)
            .unwrap_or_else(|| panic!("the demo's {user}"));
        let token = app.login(&account.username, &account.password).await;
        let mut paths: Vec<String> = Vec::new();
        for root in roots {
            let shown = app.send(page(root, &token, "en")).await;
            assert_eq!(shown.status, StatusCode::OK, "{user} {root}");
            paths.push((*root).to_owned());
            paths.extend(details_of(&shown.text));
        }
        paths.dedup();
        roles.push(RolePages {
            username: account.username.clone(),
            password: account.password.clone(),
            token,
            paths,
        });
    }
    roles
}

/// What the province's people wrote or are called, which no translation touches; the longest
/// first, so that a name inside a longer title goes with the title.
async fn written_by_people(app: &TestApp) -> Vec<String> {
    use sea_orm::ConnectionTrait;
    let db = &app.state.db;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT name FROM agencies UNION ALL SELECT display_name FROM users \
             UNION ALL SELECT title FROM documents UNION ALL SELECT title FROM records \
             UNION ALL SELECT name FROM scoring_periods",
        ))
        .await
        .unwrap();
    let mut data: Vec<String> = rows
        .iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    data.sort_by_key(|text| std::cmp::Reverse(text.chars().count()));
    data
}

db_test!(
    the_journeys_pages_in_english_carry_no_vietnamese_of_their_own,
    |app| {
        let demo = hoso::demo::load(&app.state, app.router.clone())
            .await
            .expect("the demo loads");
        let data = written_by_people(&app).await;
        let mut checked = 0;
        for role in journeys_of(&app, &demo).await {
            for path in &role.paths {
                let shown = app.send(page(path, &role.token, "en")).await;
                let user = &role.username;
                assert_eq!(
                    shown.status,
                    StatusCode::OK,
                    "{user} {path}: {}",
                    shown.text
                );
                assert!(shown.text.contains("<html lang=\"en\">"), "{path}");
                for tag in ["label", "button", "th", "dt", "legend", "nav"] {
                    for text in texts_of(&shown.text, tag) {
                        // The language switch names each language in itself.
                        let mut text = text.replace("Tiếng Việt", "");
                        for written in &data {
                            text = text.replace(written.as_str(), "");
                        }
                        assert!(
                            !vietnamese(&text),
                            "{user} {path}: <{tag}> in Vietnamese on an English page: {text}"
                        );
                    }
                }
                checked += 1;
            }
        }
        assert!(checked >= 20, "only {checked} pages reached");
    }
);

browser_test!(
    every_journeys_pages_in_english_pass_axe_core_on_a_desk_and_a_phone,
    |app| {
        let demo = hoso::demo::load(&app.state, app.router.clone())
            .await
            .expect("the demo loads");
        for role in journeys_of(&app, &demo).await {
            let browser = Browser::open(&app, "en").await;
            browser.sign_in_with(&role.username, &role.password).await;
            for (index, path) in role.paths.iter().enumerate() {
                browser.goto(path).await;
                let lang = browser
                    .client
                    .execute("return document.documentElement.lang", vec![])
                    .await
                    .unwrap();
                assert_eq!(lang, "en", "{} {path}", role.username);
                browser.assert_accessible().await;
                if index == 0 {
                    browser
                        .screenshot(&format!("en-{}", role.username.replace('.', "-")))
                        .await;
                }
            }
            // The same first page on a phone.
            browser.as_phone().await;
            browser.goto(&role.paths[0]).await;
            browser.assert_accessible().await;
            browser
                .screenshot(&format!("en-{}-phone", role.username.replace('.', "-")))
                .await;
            browser.close().await;
        }
    }
);
