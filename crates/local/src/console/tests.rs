//! The embedded files match the directory, imports resolve, and the router
//! answers with the right types, caching headers and 304s.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::assets::{ASSETS, find, is_script};

fn console_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("console")
}

fn files_under(dir: &Path, prefix: &str, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if entry.file_type().unwrap().is_dir() {
            files_under(&entry.path(), &format!("{prefix}{name}/"), out);
        } else {
            out.insert(format!("{prefix}{name}"));
        }
    }
}

#[test]
fn every_file_of_the_console_directory_is_embedded_and_nothing_else() {
    let mut on_disk = BTreeSet::new();
    files_under(&console_dir(), "", &mut on_disk);
    let embedded: BTreeSet<String> = ASSETS.iter().map(|a| a.path.to_owned()).collect();
    assert_eq!(on_disk, embedded);
}

/// The module specifiers of `import … from '…'` lines.
fn imports(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| line.trim_start().starts_with("import ") || line.contains("} from "))
        .filter_map(|line| {
            let from = line.rfind(" from ")?;
            let rest = line[from + 6..].trim();
            let quote = rest.chars().next()?;
            let end = rest[1..].find(quote)?;
            Some(rest[1..=end].to_owned())
        })
        .collect()
}

#[test]
fn every_import_names_an_embedded_module() {
    for asset in ASSETS.iter().filter(|a| is_script(a)) {
        let source = std::str::from_utf8(asset.bytes).unwrap();
        let base = Path::new(asset.path).parent().unwrap_or(Path::new(""));
        for specifier in imports(source) {
            assert!(
                specifier.starts_with("./") || specifier.starts_with("../"),
                "{specifier}"
            );
            let mut resolved = base.to_path_buf();
            for part in specifier.split('/') {
                match part {
                    "." => {}
                    ".." => {
                        resolved.pop();
                    }
                    part => resolved.push(part),
                }
            }
            let resolved = resolved.to_string_lossy().replace('\\', "/");
            assert!(
                find(&resolved).is_some(),
                "{} imports {specifier}: not embedded",
                asset.path
            );
        }
    }
}

#[test]
fn the_page_loads_only_embedded_assets() {
    let index = std::str::from_utf8(find("index.html").unwrap().bytes).unwrap();
    let mut referenced = 0;
    for piece in index.split("assets/").skip(1) {
        let end = piece.find('"').unwrap();
        assert!(
            find(&piece[..end]).is_some(),
            "index.html names {}",
            &piece[..end]
        );
        referenced += 1;
    }
    assert!(referenced >= 3);
    assert!(
        !index.contains("http://") && !index.contains("https://"),
        "no CDN"
    );
}

async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, super::router::<()>()).await.unwrap();
    });
    format!("http://{address}")
}

#[tokio::test]
async fn the_router_serves_the_page_and_assets_with_etags() {
    let base = serve().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();

    let redirect = client.get(format!("{base}/console")).send().await.unwrap();
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/console/");

    let page = client.get(format!("{base}/console/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let etag = page.headers()["etag"].to_str().unwrap().to_owned();
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("<title>rez-agent</title>")
    );

    let again = client
        .get(format!("{base}/console/"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"], etag.as_str());

    let script = client
        .get(format!("{base}/console/assets/pages/send.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert_eq!(script.headers()["x-content-type-options"], "nosniff");

    let css = client
        .get(format!("{base}/console/assets/style.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.headers()["content-type"], "text/css; charset=utf-8");

    for missing in ["nope.js", "../Cargo.toml", "index.html"] {
        let response = client
            .get(format!("{base}/console/assets/{missing}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{missing}");
    }
}
