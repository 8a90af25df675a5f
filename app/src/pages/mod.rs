//! One module per page; page components end in `Page`.

mod account;
mod admin;
mod api_docs;
mod home;
mod interaction;
mod mfa;
mod not_found;
mod operator;
mod organizations;
mod password;
mod portal;
mod professions;
mod register;
mod sign_in;
mod style;

pub use account::{AccountDeletedPage, AccountPage, LoadedAccount};
pub use admin::{
    AdminAuditPage, AdminHomePage, AdminKeysPage, AdminTenantsPage, AdminUserPage, AdminUsersPage, LoadedAdminAudit,
    LoadedAdminKeys, LoadedAdminTenants, LoadedAdminUser, LoadedAdminUsers,
};
pub use api_docs::{ApiDocsPage, LoadedApiDocs};
pub use home::HomePage;
pub use interaction::{InteractionPage, LoadedInteraction};
pub use mfa::{
    LoadedRecoveryCodes, LoadedSecondFactor, LoadedTotpSetup, RecoveryCodesPage, SecondFactorPage, TotpSetupPage,
};
pub use not_found::NotFoundPage;
pub use operator::{LoadedOutbox, OutboxPage};
pub use organizations::{InvitationPage, LoadedInvitation, LoadedOrgs, LoadedTenant, OrganizationsPage, TenantPage};
pub use password::{ForgotPasswordPage, LoadedPasswordReset, PasswordChangedPage, ResetPasswordPage};
pub use portal::{
    LoadedPortal, LoadedPortalApp, LoadedPortalClient, PortalAnswerPage, PortalAppPage, PortalClientPage, PortalPage,
};
pub use professions::{LoadedCase, LoadedProfession, LoadedQueue, ProfessionPage, VerifyCasePage, VerifyQueuePage};
pub use register::{
    ConfirmEmailPage, EmailConfirmedPage, LoadedConfirmEmail, LoadedRegistration, LoadedVerifyEmail, RegisterPage,
    VerifyEmailPage,
};
pub use sign_in::{LoadedSignIn, SignInPage};

#[cfg(test)]
mod tests {
    /// leptos_axum reads the document's `<title>` after the page has
    /// rendered, where the page's reactive owner may be disposed or not
    /// active (sandboxed arenas): a title that reads a signal then panics,
    /// seen once in 20,000 renders of the home page under load. So pages
    /// set their title with `page_title`, a plain string on the server, and
    /// never with `<Title>` itself.
    #[test]
    fn every_page_sets_its_title_with_page_title() {
        // Spelt in two, so that these lines do not match themselves.
        let (element, import) = (concat!("<", "Title"), concat!("leptos_meta::", "Title"));
        let call = concat!("{", "page_title(");
        let pages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
        let mut titles = 0;
        for entry in std::fs::read_dir(&pages).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (index, line) in text.lines().enumerate().filter(|(_, line)| !line.trim_start().starts_with("//")) {
                assert!(
                    !line.contains(element) && !line.contains(import),
                    "{}:{}: a title set without page_title: {}",
                    path.display(),
                    index + 1,
                    line.trim()
                );
                titles += line.matches(call).count();
            }
        }
        assert!(titles >= 25, "only {titles} titles found in {}", pages.display());
    }
}
