//! The rules a client registration must satisfy, each with a message a
//! developer can act on. Redirect URIs follow RFC 9700 §2.1 (exact match,
//! so no wildcards) and RFC 8252 §7 (native apps: private-use schemes and
//! loopback).

use std::net::IpAddr;

use super::{
    AuthMethod, Client, ClientId, ClientKind, ClientSpec, DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_REFRESH_TOKEN_TTL,
    GrantType, MAX_ACCESS_TOKEN_TTL, MAX_REFRESH_TOKEN_TTL, SubjectType,
};
use crate::applications::ApplicationId;
use crate::clock::UnixTime;
use crate::keys::SigningAlg;
use crate::msg;
use crate::users::UserId;
use crate::validation::{FieldErrors, Message};

/// What a registration must accept before a client may use the password
/// grant; the portal shows it beside the box.
pub static PASSWORD_GRANT_WARNING: std::sync::LazyLock<Message> = std::sync::LazyLock::new(|| {
    msg!(
        "the password grant lets this client see people's passwords, cannot ask for a second factor or consent, and is forbidden by RFC 9700: accept this risk explicitly, or use the authorization code flow",
        "mit dem Passwort-Grant sieht dieser Client die Passwörter der Personen, kann weder einen zweiten Faktor noch eine Einwilligung erfragen und ist nach RFC 9700 verboten: akzeptieren Sie dieses Risiko ausdrücklich, oder nutzen Sie den Authorization-Code-Flow"
    )
});

pub fn is_loopback_host(host: Option<url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// Checks one redirect URI for a client of `kind`; the message says why not.
pub fn parse_redirect_uri(value: &str, kind: ClientKind) -> Result<url::Url, Message> {
    if value.contains('*') {
        return Err(msg!(
            "{value}: wildcards are not allowed; register each address exactly",
            "{value}: Platzhalter sind nicht erlaubt; tragen Sie jede Adresse genau ein"
        ));
    }
    let url = url::Url::parse(value)
        .map_err(|_| msg!("{value}: not an absolute URL", "{value}: keine vollständige Adresse (URL)"))?;
    if url.fragment().is_some() || value.contains('#') {
        return Err(msg!(
            "{value}: a redirect URI cannot have a fragment (#…)",
            "{value}: eine Weiterleitungsadresse darf kein Fragment (#…) haben"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(msg!(
            "{value}: a redirect URI cannot contain a user name or password",
            "{value}: eine Weiterleitungsadresse darf keinen Benutzernamen und kein Passwort enthalten"
        ));
    }
    match url.scheme() {
        "https" if url.host().is_some() => Ok(url),
        "http" if is_loopback_host(url.host()) => Ok(url),
        "http" => Err(msg!(
            "{value}: use https (http is only allowed for 127.0.0.1, [::1] or localhost)",
            "{value}: verwenden Sie https (http nur für 127.0.0.1, [::1] oder localhost)"
        )),
        scheme if scheme.contains('.') && kind == ClientKind::Native => Ok(url),
        scheme if scheme.contains('.') => Err(msg!(
            "{value}: private-use schemes like {scheme}: are only for native apps",
            "{value}: eigene Schemata wie {scheme}: gibt es nur für native Apps"
        )),
        scheme => Err(msg!(
            "{value}: scheme {scheme}: is not allowed; use https, or a reverse-domain scheme (com.example.app:/callback) for native apps",
            "{value}: das Schema {scheme}: ist nicht erlaubt; verwenden Sie https oder für native Apps ein Schema in umgekehrter Domain-Schreibweise (com.example.app:/callback)"
        )),
    }
}

/// An origin for CORS: exactly `scheme://host[:port]`, https or loopback http.
pub fn parse_web_origin(value: &str) -> Result<String, Message> {
    let url = url::Url::parse(value).map_err(|_| {
        msg!(
            "{value}: not an origin like https://app.example.org",
            "{value}: kein Ursprung wie https://app.example.org"
        )
    })?;
    let origin = url.origin().ascii_serialization();
    if origin != value {
        return Err(msg!(
            "{value}: an origin has no path, query or trailing slash: {origin}",
            "{value}: ein Ursprung hat keinen Pfad, keine Abfrage und keinen Schrägstrich am Ende: {origin}"
        ));
    }
    match url.scheme() {
        "https" => Ok(origin),
        "http" if is_loopback_host(url.host()) => Ok(origin),
        _ => Err(msg!(
            "{value}: use https (http only for loopback)",
            "{value}: verwenden Sie https (http nur für Loopback)"
        )),
    }
}

/// RFC 6749 §3.3: `scope-token = 1*( %x21 / %x23-5B / %x5D-7E )`.
pub fn scope_token_is_valid(token: &str) -> bool {
    !token.is_empty() && token.bytes().all(|b| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b))
}

/// The most entries of a list of URIs (redirect URIs, logout redirect
/// URIs, web origins), and the longest URI anywhere in a client.
pub const MAX_URIS: usize = 20;
pub const MAX_URI_CHARS: usize = 2000;
/// The most scopes a client may be allowed, and the longest scope name.
pub const MAX_SCOPES: usize = 100;
pub const MAX_SCOPE_CHARS: usize = 100;
/// The longest description.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;

/// Whether a list of URIs stays within the limits (and says where not):
/// checked before any entry is parsed.
fn within_limits(errors: &mut FieldErrors, field: &str, uris: &[String]) -> bool {
    if uris.len() > MAX_URIS {
        errors.add(field, msg!("at most {MAX_URIS} entries", "höchstens {MAX_URIS} Einträge"));
        return false;
    }
    let long = uris.iter().filter(|uri| uri.chars().count() > MAX_URI_CHARS).count();
    if long > 0 {
        errors.add(field, too_long_uri());
    }
    long == 0
}

fn too_long_uri() -> Message {
    msg!("at most {MAX_URI_CHARS} characters per address", "höchstens {MAX_URI_CHARS} Zeichen pro Adresse")
}

fn check_uri(errors: &mut FieldErrors, field: &str, value: Option<&str>) {
    if let Some(value) = value {
        if value.chars().count() > MAX_URI_CHARS {
            errors.add(field, too_long_uri());
            return;
        }
        let ok = url::Url::parse(value)
            .is_ok_and(|u| u.scheme() == "https" || (u.scheme() == "http" && is_loopback_host(u.host())));
        if !ok {
            errors.add(field, msg!("{value}: must be an https URL", "{value}: muss eine https-Adresse sein"));
        }
    }
}

/// The most keys a client may register, and the size of its JWK Set.
const MAX_CLIENT_KEYS: usize = 10;
const MAX_JWKS_BYTES: usize = 16 * 1024;

/// Checks a client's JWK Set: for `private_key_jwt` only and required
/// there; public signing keys that can be read, at most ten, with distinct
/// `kid`s when there are several. Returns it as stored.
fn check_jwks(errors: &mut FieldErrors, auth_method: AuthMethod, jwks: Option<&serde_json::Value>) -> Option<String> {
    let Some(jwks) = jwks.filter(|v| !v.is_null()) else {
        if auth_method == AuthMethod::PrivateKeyJwt {
            errors.add(
                "jwks",
                msg!(
                    "private_key_jwt needs the public keys the client signs with: a JWK Set {{\"keys\": [...]}}",
                    "private_key_jwt braucht die öffentlichen Schlüssel, mit denen der Client signiert: ein JWK Set {{\"keys\": [...]}}"
                ),
            );
        }
        return None;
    };
    if auth_method != AuthMethod::PrivateKeyJwt {
        errors.add("jwks", msg!("only for private_key_jwt", "nur für private_key_jwt"));
        return None;
    }
    let text = jwks.to_string();
    if text.len() > MAX_JWKS_BYTES {
        errors.add("jwks", msg!("at most 16 KB", "höchstens 16 KB"));
        return None;
    }
    let keys = jwks.get("keys").and_then(serde_json::Value::as_array).cloned().unwrap_or_default();
    if keys.is_empty() || keys.len() > MAX_CLIENT_KEYS {
        errors.add(
            "jwks",
            msg!(
                "a JWK Set {{\"keys\": [...]}} with 1 to {MAX_CLIENT_KEYS} keys",
                "ein JWK Set {{\"keys\": [...]}} mit 1 bis {MAX_CLIENT_KEYS} Schlüsseln"
            ),
        );
        return None;
    }
    let mut kids = Vec::new();
    let before = errors.clone();
    for (index, key) in keys.iter().enumerate() {
        let name =
            key.get("kid").and_then(serde_json::Value::as_str).map_or_else(|| format!("#{index}"), str::to_string);
        const PRIVATE: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];
        if PRIVATE.iter().any(|member| key.get(member).is_some()) {
            errors.add(
                "jwks",
                msg!(
                    "{name}: a private or symmetric key: register only the public part of a key pair",
                    "{name}: ein privater oder symmetrischer Schlüssel: tragen Sie nur den öffentlichen Teil eines Schlüsselpaars ein"
                ),
            );
            continue;
        }
        if key.get("use").is_some_and(|u| u != "sig") {
            errors.add("jwks", msg!("{name}: use must be sig", "{name}: use muss sig sein"));
        }
        let readable = serde_json::from_value::<jsonwebtoken::jwk::Jwk>(key.clone())
            .ok()
            .is_some_and(|jwk| jsonwebtoken::DecodingKey::from_jwk(&jwk).is_ok())
            && public_key_is_sound(key);
        if !readable {
            errors.add(
                "jwks",
                msg!(
                    "{name}: not a public RSA, EC (P-256, P-384) or Ed25519 key",
                    "{name}: kein öffentlicher RSA-, EC- (P-256, P-384) oder Ed25519-Schlüssel"
                ),
            );
        }
        kids.push(key.get("kid").and_then(serde_json::Value::as_str).map(str::to_string));
    }
    if kids.len() > 1 {
        let mut named: Vec<&String> = kids.iter().flatten().collect();
        named.sort();
        named.dedup();
        if named.len() != kids.len() {
            errors.add(
                "jwks",
                msg!(
                    "several keys need distinct kids, which the assertions name",
                    "mehrere Schlüssel brauchen verschiedene kids, die die Assertions nennen"
                ),
            );
        }
    }
    (*errors == before).then_some(text)
}

/// Whether a public JWK is a key the crypto library accepts: an EC point on
/// its curve, an Ed25519 key, or an RSA modulus of at least 2048 bits.
fn public_key_is_sound(key: &serde_json::Value) -> bool {
    use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED, ED25519, ParsedPublicKey};
    use base64::Engine as _;
    let member = |name: &str| {
        key.get(name)
            .and_then(serde_json::Value::as_str)
            .and_then(|v| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(v).ok())
    };
    let text = |name: &str| key.get(name).and_then(serde_json::Value::as_str);
    match (text("kty"), text("crv")) {
        (Some("EC"), Some(curve)) => {
            let (Some(x), Some(y)) = (member("x"), member("y")) else { return false };
            let point: Vec<u8> = [&[4u8][..], &x, &y].concat();
            match curve {
                "P-256" => ParsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &point).is_ok(),
                "P-384" => ParsedPublicKey::new(&ECDSA_P384_SHA384_FIXED, &point).is_ok(),
                _ => false,
            }
        }
        (Some("OKP"), Some("Ed25519")) => member("x").is_some_and(|x| ParsedPublicKey::new(&ED25519, &x).is_ok()),
        (Some("RSA"), _) => {
            let n = member("n").unwrap_or_default();
            let significant = n.iter().skip_while(|b| **b == 0).count();
            significant >= 256 && member("e").is_some_and(|e| !e.is_empty())
        }
        _ => false,
    }
}

/// The sector of a pairwise client (a host), or what is wrong. Every
/// redirect URI must be https with a host name: the sector identifier
/// URI's host or below it (Sanus does not fetch the document at that URI;
/// this rule keeps a client from claiming a sector it cannot receive codes
/// in), or else one host shared by all of them. A private-use scheme or a
/// loopback address names no sector.
fn check_sector(
    errors: &mut FieldErrors,
    kind: ClientKind,
    subject_type: SubjectType,
    sector_identifier_uri: Option<&str>,
    redirect_uris: &[String],
) -> Option<String> {
    if subject_type != SubjectType::Pairwise {
        if sector_identifier_uri.is_some() {
            errors.add("sector_identifier_uri", msg!("only for pairwise subjects", "nur für paarweise Subjekte"));
        }
        return None;
    }
    if kind == ClientKind::M2m {
        errors.add(
            "subject_type",
            msg!(
                "a machine-to-machine client sees no people: use public",
                "ein Maschine-zu-Maschine-Client sieht keine Personen: wählen Sie public"
            ),
        );
        return None;
    }
    if redirect_uris.len() > MAX_URIS {
        return None;
    }
    if sector_identifier_uri.is_some_and(|uri| uri.chars().count() > MAX_URI_CHARS) {
        errors.add("sector_identifier_uri", too_long_uri());
        return None;
    }
    let mut hosts = Vec::new();
    for uri in redirect_uris {
        let host = url::Url::parse(uri).ok().filter(|u| u.scheme() == "https").and_then(|u| match u.host() {
            Some(url::Host::Domain(domain)) if domain != "localhost" => Some(domain.to_ascii_lowercase()),
            _ => None,
        });
        match host {
            Some(host) => hosts.push(host),
            None => errors.add(
                "subject_type",
                msg!(
                    "{uri}: pairwise subjects need https redirect URIs on host names, which name the sector",
                    "{uri}: paarweise Subjekte brauchen https-Weiterleitungsadressen auf Hostnamen, die den Sektor nennen"
                ),
            ),
        }
    }
    if hosts.len() != redirect_uris.len() {
        return None;
    }
    if hosts.is_empty() {
        errors.add(
            "subject_type",
            msg!("pairwise subjects need redirect URIs", "paarweise Subjekte brauchen Weiterleitungsadressen"),
        );
        return None;
    }
    match sector_identifier_uri {
        Some(uri) => {
            let sector = url::Url::parse(uri)
                .ok()
                .filter(|u| u.scheme() == "https")
                .and_then(|u| u.host_str().map(str::to_ascii_lowercase));
            let Some(sector) = sector else {
                errors.add(
                    "sector_identifier_uri",
                    msg!("{uri}: must be an https URL", "{uri}: muss eine https-Adresse sein"),
                );
                return None;
            };
            let outside: Vec<&String> =
                hosts.iter().filter(|h| **h != sector && !h.ends_with(&format!(".{sector}"))).collect();
            for host in &outside {
                errors.add(
                    "sector_identifier_uri",
                    msg!(
                        "the redirect URI host {host} is not {sector} or below it",
                        "der Host {host} einer Weiterleitungsadresse ist weder {sector} noch liegt er darunter"
                    ),
                );
            }
            outside.is_empty().then_some(sector)
        }
        None => {
            let mut distinct = hosts.clone();
            distinct.sort();
            distinct.dedup();
            if distinct.len() > 1 {
                errors.add(
                    "sector_identifier_uri",
                    msg!(
                        "redirect URIs on several hosts need a sector identifier URI naming their common domain",
                        "Weiterleitungsadressen auf mehreren Hosts brauchen eine Sektor-Adresse, die ihre gemeinsame Domain nennt"
                    ),
                );
                return None;
            }
            distinct.pop()
        }
    }
}

impl ClientSpec {
    /// Applies the kind's defaults and every rule; all problems at once.
    pub fn validate(
        self,
        id: ClientId,
        application_id: ApplicationId,
        service_account: Option<UserId>,
        now: UnixTime,
    ) -> Result<Client, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = self.name.trim().to_string();
        if name.is_empty() || name.chars().count() > 100 {
            errors.add(
                "name",
                msg!(
                    "enter a name of 1 to 100 characters; people see it on the consent screen",
                    "Geben Sie einen Namen mit 1 bis 100 Zeichen ein; Personen sehen ihn auf der Einwilligungsseite"
                ),
            );
        }
        for (field, value) in [
            ("logo_uri", &self.logo_uri),
            ("client_uri", &self.client_uri),
            ("policy_uri", &self.policy_uri),
            ("tos_uri", &self.tos_uri),
        ] {
            check_uri(&mut errors, field, value.as_deref());
        }

        let auth_method = self.token_endpoint_auth_method.unwrap_or(self.kind.default_auth_method());
        let grant_types = self.grant_types.unwrap_or_else(|| self.kind.default_grant_types());
        match (self.kind, auth_method) {
            (ClientKind::Spa | ClientKind::Native, method) if method.is_confidential() => errors.add(
                "token_endpoint_auth_method",
                msg!(
                    "single-page and native apps cannot keep a secret: use none (PKCE protects their codes)",
                    "Single-Page- und native Apps können kein Geheimnis bewahren: wählen Sie none (PKCE schützt ihre Codes)"
                ),
            ),
            (ClientKind::Web | ClientKind::M2m, AuthMethod::None) => errors.add(
                "token_endpoint_auth_method",
                msg!(
                    "this kind of client runs on a server and must authenticate with a secret",
                    "diese Art Client läuft auf einem Server und muss sich mit einem Geheimnis anmelden"
                ),
            ),
            _ => {}
        }
        if grant_types.is_empty() {
            errors.add("grant_types", msg!("choose at least one grant type", "wählen Sie mindestens einen Grant-Typ"));
        }
        if grant_types.contains(&GrantType::ClientCredentials) && !auth_method.is_confidential() {
            errors.add(
                "grant_types",
                msg!(
                    "a public client cannot use client_credentials: it has no secret",
                    "ein öffentlicher Client kann client_credentials nicht nutzen: er hat kein Geheimnis"
                ),
            );
        }
        if self.kind == ClientKind::M2m && grant_types.iter().any(|g| *g != GrantType::ClientCredentials) {
            errors.add(
                "grant_types",
                msg!(
                    "a machine-to-machine client uses client_credentials only",
                    "ein Maschine-zu-Maschine-Client nutzt nur client_credentials"
                ),
            );
        }
        if grant_types.contains(&GrantType::Password) {
            if !auth_method.is_confidential() || !self.first_party {
                errors.add(
                    "grant_types",
                    msg!(
                        "the password grant is only for first-party clients that keep a secret",
                        "der Passwort-Grant ist nur für Erstanbieter-Clients, die ein Geheimnis bewahren"
                    ),
                );
            }
            if !self.password_grant_risk_accepted {
                errors.add("password_grant_risk_accepted", PASSWORD_GRANT_WARNING.clone());
            }
        }
        if grant_types.contains(&GrantType::RefreshToken)
            && !grant_types.contains(&GrantType::AuthorizationCode)
            && !grant_types.contains(&GrantType::Password)
        {
            errors.add(
                "grant_types",
                msg!("refresh_token needs authorization_code", "refresh_token braucht authorization_code"),
            );
        }

        let uses_redirects = grant_types.contains(&GrantType::AuthorizationCode);
        if let Some(response_types) = &self.response_types {
            let expected: &[&str] = if uses_redirects { &["code"] } else { &[] };
            if response_types.iter().map(String::as_str).ne(expected.iter().copied()) {
                errors.add(
                    "response_types",
                    msg!(
                        "only code (with PKCE), and only with authorization_code: implicit and hybrid responses put tokens in the browser's address bar",
                        "nur code (mit PKCE) und nur mit authorization_code: Implicit- und Hybrid-Antworten legen Token in die Adresszeile des Browsers"
                    ),
                );
            }
        }
        if uses_redirects && self.redirect_uris.is_empty() {
            errors.add(
                "redirect_uris",
                msg!(
                    "add the address your app receives the sign-in response at",
                    "tragen Sie die Adresse ein, an der Ihre App die Antwort der Anmeldung empfängt"
                ),
            );
        }
        if !uses_redirects && !self.redirect_uris.is_empty() {
            errors.add(
                "redirect_uris",
                msg!(
                    "only clients using authorization_code have redirect URIs",
                    "nur Clients mit authorization_code haben Weiterleitungsadressen"
                ),
            );
        }
        for (field, uris) in
            [("redirect_uris", &self.redirect_uris), ("post_logout_redirect_uris", &self.post_logout_redirect_uris)]
        {
            if !within_limits(&mut errors, field, uris) {
                continue;
            }
            for uri in uris {
                if let Err(message) = parse_redirect_uri(uri, self.kind) {
                    errors.add(field, message);
                }
            }
        }
        let mut web_origins = Vec::new();
        if within_limits(&mut errors, "web_origins", &self.web_origins) {
            for origin in &self.web_origins {
                match parse_web_origin(origin) {
                    Ok(origin) => web_origins.push(origin),
                    Err(message) => errors.add("web_origins", message),
                }
            }
        }
        // Each once, in the order given (a set: a long list costs no more than its length).
        let mut seen = std::collections::HashSet::new();
        let allowed_scopes: Vec<String> =
            self.allowed_scopes.iter().filter(|scope| seen.insert(scope.as_str())).cloned().collect();
        if allowed_scopes.len() > MAX_SCOPES {
            errors.add("allowed_scopes", msg!("at most {MAX_SCOPES} scopes", "höchstens {MAX_SCOPES} Scopes"));
        } else {
            for scope in &allowed_scopes {
                if !scope_token_is_valid(scope) || scope.chars().count() > MAX_SCOPE_CHARS {
                    errors.add(
                        "allowed_scopes",
                        msg!(
                            "{scope:?} is not a valid scope name (at most {MAX_SCOPE_CHARS} characters)",
                            "{scope:?} ist kein gültiger Scope-Name (höchstens {MAX_SCOPE_CHARS} Zeichen)"
                        ),
                    );
                }
            }
        }
        let description = self.description.filter(|d| !d.trim().is_empty());
        if description.as_ref().is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS) {
            errors.add(
                "description",
                msg!("at most {MAX_DESCRIPTION_CHARS} characters", "höchstens {MAX_DESCRIPTION_CHARS} Zeichen"),
            );
        }
        let require_pkce = self.require_pkce.unwrap_or(true);
        if !require_pkce && !auth_method.is_confidential() {
            errors
                .add("require_pkce", msg!("a public client must use PKCE", "ein öffentlicher Client muss PKCE nutzen"));
        }
        let access_token_ttl = self.access_token_ttl.unwrap_or(DEFAULT_ACCESS_TOKEN_TTL);
        if !(60..=MAX_ACCESS_TOKEN_TTL).contains(&access_token_ttl) {
            errors.add(
                "access_token_ttl",
                msg!(
                    "between 60 and {MAX_ACCESS_TOKEN_TTL} seconds",
                    "zwischen 60 und {MAX_ACCESS_TOKEN_TTL} Sekunden"
                ),
            );
        }
        let refresh_token_ttl = self.refresh_token_ttl.unwrap_or(DEFAULT_REFRESH_TOKEN_TTL);
        if !(60..=MAX_REFRESH_TOKEN_TTL).contains(&refresh_token_ttl) {
            errors.add(
                "refresh_token_ttl",
                msg!(
                    "between 60 and {MAX_REFRESH_TOKEN_TTL} seconds",
                    "zwischen 60 und {MAX_REFRESH_TOKEN_TTL} Sekunden"
                ),
            );
        }
        if self.metadata.len() > 10 {
            errors.add("metadata", msg!("at most 10 keys", "höchstens 10 Schlüssel"));
        }
        for (key, value) in &self.metadata {
            if key.is_empty() || key.chars().count() > 64 {
                errors.add(
                    "metadata",
                    msg!("{key:?}: keys have 1 to 64 characters", "{key:?}: Schlüssel haben 1 bis 64 Zeichen"),
                );
            }
            if value.chars().count() > 256 {
                errors.add(
                    "metadata",
                    msg!("{key:?}: values have at most 256 characters", "{key:?}: Werte haben höchstens 256 Zeichen"),
                );
            }
        }
        let jwks = check_jwks(&mut errors, auth_method, self.jwks.as_ref());
        let subject_type = self.subject_type.unwrap_or_default();
        let sector = check_sector(
            &mut errors,
            self.kind,
            subject_type,
            self.sector_identifier_uri.as_deref(),
            &self.redirect_uris,
        );
        if service_account.is_some() && !grant_types.contains(&GrantType::ClientCredentials) {
            errors.add(
                "service_account",
                msg!(
                    "only client_credentials clients act as a service account",
                    "nur Clients mit client_credentials handeln als Dienstkonto"
                ),
            );
        }

        errors.into_result(Client {
            id,
            application_id,
            kind: self.kind,
            name,
            description,
            logo_uri: self.logo_uri,
            client_uri: self.client_uri,
            policy_uri: self.policy_uri,
            tos_uri: self.tos_uri,
            auth_method,
            redirect_uris: self.redirect_uris,
            post_logout_redirect_uris: self.post_logout_redirect_uris,
            web_origins,
            grant_types,
            allowed_scopes,
            require_pkce,
            first_party: self.first_party,
            require_mfa: self.require_mfa,
            tenant_context: self.tenant_context,
            access_token_ttl,
            refresh_token_ttl,
            id_token_alg: self.id_token_signed_response_alg.unwrap_or(SigningAlg::Rs256),
            service_account,
            metadata: self.metadata,
            created_at: now,
            updated_at: now,
            subject_type,
            sector_identifier_uri: self.sector_identifier_uri.filter(|_| subject_type == SubjectType::Pairwise),
            sector,
            jwks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_texts_are_bounded_and_scopes_counted_once() {
        let web_spec = || spec(ClientKind::Web);
        let mut spec = web_spec();
        spec.redirect_uris = (0..=MAX_URIS).map(|n| format!("https://app.example.org/cb{n}")).collect();
        spec.web_origins = vec![format!("https://{}.example.org", "a".repeat(MAX_URI_CHARS))];
        spec.description = Some("x".repeat(MAX_DESCRIPTION_CHARS + 1));
        spec.allowed_scopes = vec!["s".repeat(MAX_SCOPE_CHARS + 1)];
        spec.logo_uri = Some(format!("https://example.org/{}", "l".repeat(MAX_URI_CHARS)));
        let errors = validate(spec).unwrap_err();
        for field in ["redirect_uris", "web_origins", "description", "allowed_scopes", "logo_uri"] {
            assert!(!errors.get(field).is_empty(), "{field}: {errors:?}");
        }
        let mut spec = web_spec();
        spec.allowed_scopes = (0..=MAX_SCOPES).map(|n| format!("scope{n}")).collect();
        assert!(!validate(spec).unwrap_err().get("allowed_scopes").is_empty());
        let mut spec = web_spec();
        spec.allowed_scopes = vec!["openid".into(), "email".into(), "openid".into()];
        assert_eq!(validate(spec).unwrap().allowed_scopes, ["openid", "email"]);
    }

    #[test]
    fn redirect_uri_rules() {
        use ClientKind::*;
        let ok = [
            ("https://app.example.org/callback", Web),
            ("https://app.example.org/cb?tenant=1", Spa),
            ("http://127.0.0.1:8080/cb", Native),
            ("http://[::1]/cb", Native),
            ("http://localhost:3000/cb", Spa),
            ("com.example.app:/oauth2redirect", Native),
        ];
        for (uri, kind) in ok {
            assert!(parse_redirect_uri(uri, kind).is_ok(), "{uri}");
        }
        let bad = [
            ("https://*.example.org/cb", Web, "wildcards"),
            ("https://app.example.org/cb#x", Web, "fragment"),
            ("http://app.example.org/cb", Web, "use https"),
            ("com.example.app:/cb", Web, "only for native apps"),
            ("javascript:alert(1)", Native, "not allowed"),
            ("/relative/cb", Web, "absolute"),
            ("https://user:pw@app.example.org/cb", Web, "user name"),
        ];
        for (uri, kind, message) in bad {
            let error = parse_redirect_uri(uri, kind).unwrap_err();
            assert!(error.en().contains(message), "{uri}: {error}");
            assert_ne!(error.en(), error.de(), "{uri}: in German too");
        }
    }

    #[test]
    fn web_origins_are_bare_origins() {
        assert_eq!(parse_web_origin("https://app.example.org").unwrap(), "https://app.example.org");
        assert!(parse_web_origin("http://localhost:5173").is_ok());
        assert!(parse_web_origin("https://app.example.org/").is_err());
        assert!(parse_web_origin("https://app.example.org/path").is_err());
        assert!(parse_web_origin("http://app.example.org").is_err());
    }

    #[test]
    fn scope_syntax() {
        assert!(scope_token_is_valid("tstapp_data.read"));
        assert!(scope_token_is_valid("openid"));
        assert!(!scope_token_is_valid(""));
        assert!(!scope_token_is_valid("a b"));
        assert!(!scope_token_is_valid("quote\"d"));
        assert!(!scope_token_is_valid("back\\slash"));
    }

    fn spec(kind: ClientKind) -> ClientSpec {
        ClientSpec {
            name: "Test app".into(),
            description: None,
            kind,
            logo_uri: None,
            client_uri: None,
            policy_uri: None,
            tos_uri: None,
            token_endpoint_auth_method: None,
            redirect_uris: if kind == ClientKind::M2m { vec![] } else { vec!["https://app.example.org/cb".into()] },
            post_logout_redirect_uris: vec![],
            web_origins: vec![],
            grant_types: None,
            allowed_scopes: vec![],
            require_pkce: None,
            first_party: false,
            require_mfa: false,
            tenant_context: false,
            access_token_ttl: None,
            refresh_token_ttl: None,
            id_token_signed_response_alg: None,
            metadata: Default::default(),
            password_grant_risk_accepted: false,
            jwks: None,
            response_types: None,
            subject_type: None,
            sector_identifier_uri: None,
        }
    }

    #[test]
    fn pairwise_clients_have_one_sector() {
        let pairwise = |redirects: &[&str], sector: Option<&str>| {
            let mut spec = spec(ClientKind::Web);
            spec.subject_type = Some(SubjectType::Pairwise);
            spec.redirect_uris = redirects.iter().map(|r| r.to_string()).collect();
            spec.sector_identifier_uri = sector.map(str::to_string);
            validate(spec)
        };
        let one_host = pairwise(&["https://ward.example.org/cb", "https://ward.example.org/cb2"], None).unwrap();
        assert_eq!(one_host.sector(), Some("ward.example.org"));
        assert!(pairwise(&["https://a.example.org/cb", "https://b.example.org/cb"], None).is_err());
        let shared = pairwise(
            &["https://a.example.org/cb", "https://b.example.org/cb"],
            Some("https://example.org/sector.json"),
        );
        assert_eq!(shared.unwrap().sector(), Some("example.org"));
        let elsewhere =
            pairwise(&["https://a.example.org/cb"], Some("https://victim.example/sector.json")).unwrap_err();
        assert!(elsewhere.get("sector_identifier_uri")[0].contains("a.example.org is not victim.example"));
        assert!(pairwise(&["https://badexample.org/cb"], Some("https://example.org/s")).is_err(), "not below it");
        assert!(pairwise(&["https://a.example.org/cb"], Some("http://example.org/s")).is_err(), "https only");
        let mut native = spec(ClientKind::Native);
        native.subject_type = Some(SubjectType::Pairwise);
        native.redirect_uris = vec!["com.evil.app:/cb".into()];
        native.sector_identifier_uri = Some("https://victim.example".into());
        assert!(validate(native.clone()).is_err(), "a private-use scheme names no sector");
        native.redirect_uris = vec!["com.app:/cb".into(), "https://a.example/cb".into()];
        native.sector_identifier_uri = None;
        assert!(validate(native.clone()).is_err(), "nor does a mix");
        native.redirect_uris = vec!["http://127.0.0.1:8080/cb".into()];
        assert!(validate(native).is_err(), "nor loopback, which every native app shares");
        let mut machine = spec(ClientKind::M2m);
        machine.subject_type = Some(SubjectType::Pairwise);
        assert!(validate(machine).is_err());
        let mut implicit = spec(ClientKind::Web);
        implicit.response_types = Some(vec!["code".into(), "id_token".into()]);
        assert!(!validate(implicit).unwrap_err().get("response_types").is_empty(), "code only");
        let mut code = spec(ClientKind::Web);
        code.response_types = Some(vec!["code".into()]);
        assert_eq!(validate(code).unwrap().response_types(), ["code"]);
        let public = validate(spec(ClientKind::Web)).unwrap();
        assert_eq!((public.subject_type, public.sector()), (SubjectType::Public, None));
    }

    fn validate(spec: ClientSpec) -> Result<Client, FieldErrors> {
        spec.validate(ClientId::generate(), ApplicationId::generate(), None, UnixTime(0))
    }

    #[test]
    fn the_password_grant_needs_a_first_party_confidential_client_and_the_risk_accepted() {
        let legacy = |first_party: bool, accepted: bool, kind: ClientKind| {
            let mut spec = spec(kind);
            spec.grant_types = Some(vec![GrantType::AuthorizationCode, GrantType::Password, GrantType::RefreshToken]);
            spec.first_party = first_party;
            spec.password_grant_risk_accepted = accepted;
            validate(spec)
        };
        assert!(legacy(true, true, ClientKind::Web).is_ok());
        let unaccepted = legacy(true, false, ClientKind::Web).unwrap_err();
        assert!(unaccepted.get("password_grant_risk_accepted")[0].contains("RFC 9700"));
        assert!(unaccepted.messages("password_grant_risk_accepted")[0].de().contains("RFC 9700 verboten"));
        assert!(!legacy(false, true, ClientKind::Web).unwrap_err().get("grant_types").is_empty(), "third party");
        assert!(!legacy(true, true, ClientKind::Spa).unwrap_err().get("grant_types").is_empty(), "no secret");
        let mut refresh_only = spec(ClientKind::Web);
        refresh_only.grant_types = Some(vec![GrantType::Password, GrantType::RefreshToken]);
        refresh_only.first_party = true;
        refresh_only.password_grant_risk_accepted = true;
        refresh_only.redirect_uris = vec![];
        assert!(validate(refresh_only).is_ok(), "refresh tokens go with the password grant too");
    }

    #[test]
    fn kinds_get_safe_defaults() {
        let spa = validate(spec(ClientKind::Spa)).unwrap();
        assert_eq!(spa.auth_method, AuthMethod::None);
        assert!(spa.require_pkce);
        assert_eq!(spa.grant_types, [GrantType::AuthorizationCode, GrantType::RefreshToken]);
        assert_eq!(spa.id_token_alg, SigningAlg::Rs256);
        let m2m = validate(spec(ClientKind::M2m)).unwrap();
        assert_eq!(m2m.auth_method, AuthMethod::ClientSecretBasic);
        assert_eq!(m2m.grant_types, [GrantType::ClientCredentials]);
    }

    #[test]
    fn unsafe_registrations_are_refused_field_by_field() {
        let mut public_cc = spec(ClientKind::Spa);
        public_cc.grant_types = Some(vec![GrantType::ClientCredentials]);
        public_cc.redirect_uris = vec![];
        let errors = validate(public_cc).unwrap_err();
        assert!(errors.get("grant_types").iter().any(|m| m.contains("public client cannot use client_credentials")));

        let mut no_pkce = spec(ClientKind::Native);
        no_pkce.require_pkce = Some(false);
        assert!(!validate(no_pkce).unwrap_err().get("require_pkce").is_empty());

        let mut long_lived = spec(ClientKind::Web);
        long_lived.access_token_ttl = Some(86_401);
        assert!(!validate(long_lived).unwrap_err().get("access_token_ttl").is_empty());

        let mut metadata = spec(ClientKind::Web);
        metadata.metadata = (0..11).map(|i| (format!("k{i}"), "v".into())).collect();
        assert!(!validate(metadata).unwrap_err().get("metadata").is_empty());

        let mut long_value = spec(ClientKind::Web);
        long_value.metadata.insert("k".into(), "x".repeat(257));
        assert!(!validate(long_value).unwrap_err().get("metadata").is_empty());

        let mut web_without_secret = spec(ClientKind::Web);
        web_without_secret.token_endpoint_auth_method = Some(AuthMethod::None);
        assert!(!validate(web_without_secret).unwrap_err().get("token_endpoint_auth_method").is_empty());

        let mut no_redirect = spec(ClientKind::Web);
        no_redirect.redirect_uris = vec![];
        assert!(!validate(no_redirect).unwrap_err().get("redirect_uris").is_empty());
    }
}
