//! TLS to PostgreSQL: a server with a certificate from a throwaway CA, which
//! refuses TCP connections without TLS, so a connection that works used it.

use briefbot::config::DatabaseUrl;
use briefbot::store::Store;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

use crate::pg_cluster::{self, ServerTls};

/// A CA's certificate (PEM) and what signs with it.
fn ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), Issuer::new(params, key))
}

/// A certificate for 127.0.0.1 and localhost signed by `issuer`.
fn server(issuer: &Issuer<'_, KeyPair>) -> ServerTls {
    let params = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = params.signed_by(&key, issuer).unwrap();
    ServerTls {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

fn with_mode(url: &str, mode: &str) -> DatabaseUrl {
    DatabaseUrl::Postgres(format!("{url}?sslmode={mode}"))
}

#[tokio::test]
async fn sslmode_require_connects_over_tls() {
    let (_, issuer) = ca("briefbot test CA");
    let Some(pg) = pg_cluster::start_tls(&server(&issuer)) else {
        return;
    };
    let url = pg.database("tls_require");
    let store = Store::connect(&with_mode(&url, "require"), 2)
        .await
        .expect("sslmode=require connects to a TLS server");
    store.ping().await.unwrap();
    // The server refuses plain text: the connection above was encrypted.
    let plain = Store::connect(&with_mode(&url, "disable"), 2).await;
    assert!(
        plain.is_err(),
        "the server accepted a connection without TLS"
    );
}

#[tokio::test]
async fn verify_full_trusts_only_the_ca_file_and_names_it_when_refusing() {
    let (ca_pem, issuer) = ca("briefbot test CA");
    let (other_pem, _) = ca("someone else's CA");
    let Some(pg) = pg_cluster::start_tls(&server(&issuer)) else {
        return;
    };
    let url = pg.database("tls_verify");
    let dir = tempfile::tempdir().unwrap();
    let right = dir.path().join("ca.pem");
    let wrong = dir.path().join("other-ca.pem");
    std::fs::write(&right, ca_pem).unwrap();
    std::fs::write(&wrong, other_pem).unwrap();

    let store = Store::connect_with(&with_mode(&url, "verify-full"), 2, Some(&right))
        .await
        .expect("verify-full with the server's CA connects");
    store.ping().await.unwrap();

    let err = Store::connect_with(&with_mode(&url, "verify-full"), 2, Some(&wrong))
        .await
        .err()
        .expect("verify-full with another CA is refused");
    let text = err.to_string();
    for needed in [
        "TLS to PostgreSQL failed",
        "sslmode=verify-full",
        "database.ca_file",
        "other-ca.pem",
        "UnknownIssuer",
    ] {
        assert!(text.contains(needed), "{needed:?} not in: {text}");
    }
    // require does not check the certificate, whatever CA file is set.
    Store::connect_with(&with_mode(&url, "require"), 2, Some(&wrong))
        .await
        .expect("require does not verify");
}
