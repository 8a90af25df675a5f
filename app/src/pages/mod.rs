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
