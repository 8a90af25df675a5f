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
    /// seen once in 20,000 renders of the home page under load. So every
    /// page's title is a plain string, read once when the page renders.
    #[test]
    fn no_page_title_reads_a_signal() {
        let pages = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/pages");
        let mut titles = 0;
        for entry in std::fs::read_dir(&pages).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            for (index, line) in text.lines().enumerate() {
                let Some(title) = line.trim_start().strip_prefix("<Title ") else { continue };
                titles += 1;
                assert!(
                    !title.contains("move ||") && !title.contains(".get()") && !title.contains(".t()"),
                    "{}:{}: a <Title> that reads a signal: {}",
                    path.display(),
                    index + 1,
                    line.trim()
                );
            }
        }
        assert!(titles >= 20, "only {titles} titles found in {}", pages.display());
    }
}
