//! TLS to PostgreSQL, with rustls, as libpq's `sslmode` in the URL asks:
//! - `disable`: plain text;
//! - `prefer` (the default, as in libpq): TLS when the server offers it, else
//!   plain text; the certificate is not checked;
//! - `require`: TLS or no connection; the certificate is not checked (it
//!   keeps passive listeners out, not an impostor);
//! - `verify-ca`: TLS, and the certificate must be signed by a trusted CA;
//! - `verify-full`: that, and it must name the host connected to.
//!
//! Trusted CAs are those in `database.ca_file` (PEM), or the Mozilla roots
//! when none is set. tokio-postgres itself knows only the first three modes,
//! so the verifying ones are read here and it is told `require`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{ring, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::super::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl fmt::Display for SslMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        })
    }
}

impl SslMode {
    pub(super) fn verifies(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

/// The `sslmode` a URL (`postgres://…?sslmode=…` or `host=… sslmode=…`)
/// asks for, and the URL as tokio-postgres can read it.
pub(super) fn split_sslmode(url: &str) -> Result<(SslMode, String), StoreError> {
    let Some(at) = find_key(url, "sslmode=") else {
        return Ok((SslMode::Prefer, url.to_string()));
    };
    let start = at + "sslmode=".len();
    let end = url[start..]
        .find(|c: char| c == '&' || c.is_whitespace())
        .map_or(url.len(), |n| start + n);
    let mode = match &url[start..end] {
        "disable" => SslMode::Disable,
        "prefer" => SslMode::Prefer,
        "require" => SslMode::Require,
        "verify-ca" => SslMode::VerifyCa,
        "verify-full" => SslMode::VerifyFull,
        other => {
            return Err(StoreError::Url(format!(
                "sslmode={other} is not one of disable, prefer, require, verify-ca, verify-full"
            )))
        }
    };
    let told = if mode.verifies() {
        "require"
    } else {
        &url[start..end]
    };
    Ok((mode, format!("{}{told}{}", &url[..start], &url[end..])))
}

/// Where `key` starts as a parameter: after `?`, `&`, whitespace or at the start.
fn find_key(url: &str, key: &str) -> Option<usize> {
    url.match_indices(key)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || url[..i].ends_with(['?', '&', ' ', '\t', '\n']))
}

/// The connector for `mode`, trusting the CAs in `ca_file` (or Mozilla's).
pub(super) fn connector(
    mode: SslMode,
    ca_file: Option<&Path>,
) -> Result<MakeRustlsConnect, StoreError> {
    let provider = Arc::new(ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_setup(format!("TLS versions: {e}")))?;
    let config = if mode.verifies() {
        let roots = Arc::new(roots(ca_file)?);
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .map_err(|e| tls_setup(format!("certificate verifier: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = if mode == SslMode::VerifyFull {
            webpki
        } else {
            Arc::new(AnyName(webpki))
        };
        builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
            .with_no_client_auth()
    };
    Ok(MakeRustlsConnect::new(config))
}

fn tls_setup(message: String) -> StoreError {
    StoreError::Tls(message)
}

fn roots(ca_file: Option<&Path>) -> Result<RootCertStore, StoreError> {
    let Some(path) = ca_file else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let bad = |why: String| {
        StoreError::Tls(format!(
            "setting `database.ca_file` = {}: {why}",
            path.display()
        ))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| bad(e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad(e.to_string()))?;
    if certs.is_empty() {
        return Err(bad("holds no PEM certificate".into()));
    }
    let mut store = RootCertStore::empty();
    for cert in certs {
        store
            .add(cert)
            .map_err(|e| bad(format!("not a usable CA certificate: {e}")))?;
    }
    Ok(store)
}

/// What a failed TLS connection says to the operator: the mode, the CAs
/// trusted and rustls's reason.
pub(super) fn explain(
    mode: SslMode,
    ca_file: Option<&PathBuf>,
    error: &tokio_postgres::Error,
) -> String {
    let trusted = match ca_file {
        Some(p) => format!("the CAs in `database.ca_file` = {}", p.display()),
        None => "the Mozilla root CAs (set `database.ca_file` for a private CA)".into(),
    };
    let mut reason = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        reason = format!("{reason}: {s}");
        source = s.source();
    }
    format!("TLS to PostgreSQL failed (sslmode={mode}, trusting {trusted}): {reason}")
}

/// Whether `error` is a failed TLS handshake (rather than, say, a wrong password).
pub(super) fn is_tls_failure(error: &tokio_postgres::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        if s.is::<rustls::Error>() {
            return true;
        }
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.get_ref().is_some_and(|e| e.is::<rustls::Error>()) {
                return true;
            }
        }
        source = s.source();
    }
    false
}

/// `verify-ca`: the chain is checked, the name is not.
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require`: any certificate, as libpq; the handshake's
/// signatures are still checked, so the session is the certificate holder's.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sslmode_is_read_from_either_url_form_and_verification_is_ours() {
        let (m, u) = split_sslmode("postgres://u@h/db?sslmode=verify-full&x=1").unwrap();
        assert_eq!(
            (m, u.as_str()),
            (SslMode::VerifyFull, "postgres://u@h/db?sslmode=require&x=1")
        );
        let (m, u) = split_sslmode("host=h sslmode=verify-ca dbname=d").unwrap();
        assert_eq!(
            (m, u.as_str()),
            (SslMode::VerifyCa, "host=h sslmode=require dbname=d")
        );
        let (m, u) = split_sslmode("postgres://u@h/db?sslmode=disable").unwrap();
        assert_eq!(
            (m, u.as_str()),
            (SslMode::Disable, "postgres://u@h/db?sslmode=disable")
        );
        let (m, _) = split_sslmode("postgres://u@h/db?application_name=x").unwrap();
        assert_eq!(m, SslMode::Prefer);
        // A database named after the key is not the key.
        let (m, _) = split_sslmode("postgres://u@h/nosslmode=x").unwrap();
        assert_eq!(m, SslMode::Prefer);
        let err = split_sslmode("postgres://u@h/db?sslmode=allow").unwrap_err();
        assert!(err.to_string().contains("sslmode=allow"), "{err}");
    }

    #[test]
    fn a_ca_file_without_certificates_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ca.pem");
        std::fs::write(&file, "not a certificate\n").unwrap();
        let err = connector(SslMode::VerifyFull, Some(&file)).err().unwrap();
        let text = err.to_string();
        assert!(
            text.contains("database.ca_file") && text.contains("ca.pem"),
            "{text}"
        );
        let missing = dir.path().join("missing.pem");
        let err = connector(SslMode::VerifyFull, Some(&missing))
            .err()
            .unwrap();
        assert!(err.to_string().contains("missing.pem"), "{err}");
    }
}
