//! The Sanus user interface: the HTML shell, the routes and their pages.
//! Compiled twice: with `ssr` into the server, with `hydrate` into the wasm
//! that makes the server-rendered pages interactive.

#![recursion_limit = "256"]

pub mod assets;
mod components;
pub mod dto;
pub mod i18n;
mod pages;

use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

pub use assets::Assets;
use components::Layout;
use pages::{
    AccountDeletedPage, AccountPage, AdminAuditPage, AdminHomePage, AdminKeysPage, AdminTenantsPage, AdminUserPage,
    AdminUsersPage, ApiDocsPage, ConfirmEmailPage, EmailConfirmedPage, ForgotPasswordPage, HomePage, InteractionPage,
    InvitationPage, NotFoundPage, OrganizationsPage, OutboxPage, PasswordChangedPage, PortalAnswerPage, PortalAppPage,
    PortalClientPage, PortalPage, ProfessionPage, RecoveryCodesPage, RegisterPage, ResetPasswordPage, SecondFactorPage,
    SignInPage, TenantPage, TotpSetupPage, VerifyCasePage, VerifyEmailPage, VerifyQueuePage,
};
pub use pages::{
    LoadedAccount, LoadedAdminAudit, LoadedAdminKeys, LoadedAdminTenants, LoadedAdminUser, LoadedAdminUsers,
    LoadedApiDocs, LoadedCase, LoadedConfirmEmail, LoadedInteraction, LoadedInvitation, LoadedOrgs, LoadedOutbox,
    LoadedPasswordReset, LoadedPortal, LoadedPortalApp, LoadedPortalClient, LoadedProfession, LoadedQueue,
    LoadedRecoveryCodes, LoadedRegistration, LoadedSecondFactor, LoadedSignIn, LoadedTenant, LoadedTotpSetup,
    LoadedVerifyEmail,
};

/// The whole HTML document, rendered on the server only. `App` inside it is
/// what the browser hydrates.
pub fn shell(assets: Assets) -> impl IntoView {
    let lang = i18n::initial_locale().as_str();
    view! {
        <!DOCTYPE html>
        <html lang=lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                {assets.stylesheet()}
                {assets.hydration_scripts()}
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    i18n::provide_i18n();
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/signin") view=SignInPage />
                    // Served by the server's own handler, which loads the interaction first.
                    <Route path=path!("/interaction/:id") view=InteractionPage />
                    <Route path=path!("/password/forgot") view=ForgotPasswordPage />
                    // Served by the server's own handler, which checks the link first.
                    <Route path=path!("/password/reset/:token") view=ResetPasswordPage />
                    <Route path=path!("/password/changed") view=PasswordChangedPage />
                    // The next three are served by the server's own handlers, which load their data first.
                    <Route path=path!("/register") view=RegisterPage />
                    <Route path=path!("/email/verify/:id") view=VerifyEmailPage />
                    <Route path=path!("/email/confirm/:token") view=ConfirmEmailPage />
                    <Route path=path!("/email/confirmed") view=EmailConfirmedPage />
                    // Served by the server's own handler, which checks the session first.
                    <Route path=path!("/account") view=AccountPage />
                    <Route path=path!("/account/deleted") view=AccountDeletedPage />
                    <Route path=path!("/account/totp") view=TotpSetupPage />
                    // The answers to posting a first code, or asking for new codes.
                    <Route path=path!("/account/totp/confirm") view=RecoveryCodesPage />
                    <Route path=path!("/account/recovery-codes") view=RecoveryCodesPage />
                    <Route path=path!("/signin/second-factor") view=SecondFactorPage />
                    // Served by the server's own handlers, which let only operators in.
                    <Route path=path!("/admin") view=AdminHomePage />
                    <Route path=path!("/admin/users") view=AdminUsersPage />
                    <Route path=path!("/admin/users/:id") view=AdminUserPage />
                    // The answers to the account's forms, rendered at the address they were posted to.
                    <Route path=path!("/admin/users/:id/*rest") view=AdminUserPage />
                    <Route path=path!("/admin/tenants") view=AdminTenantsPage />
                    <Route path=path!("/admin/keys") view=AdminKeysPage />
                    <Route path=path!("/admin/audit") view=AdminAuditPage />
                    <Route path=path!("/admin/outbox") view=OutboxPage />
                    // Served by the server's own handlers, which check the session and the roles first.
                    <Route path=path!("/orgs") view=OrganizationsPage />
                    <Route path=path!("/orgs/:id") view=TenantPage />
                    <Route path=path!("/invitations/:token") view=InvitationPage />
                    // Served by the server's own handlers: the person's profile, and (verifiers only) the queue.
                    <Route path=path!("/account/profession") view=ProfessionPage />
                    <Route path=path!("/verify") view=VerifyQueuePage />
                    <Route path=path!("/verify/cases/:id") view=VerifyCasePage />
                    // Served by the server's own handlers: the developer portal.
                    <Route path=path!("/portal") view=PortalPage />
                    <Route path=path!("/api/v1/docs") view=ApiDocsPage />
                    <Route path=path!("/portal/apps/:id") view=PortalAppPage />
                    <Route path=path!("/portal/clients/:id") view=PortalClientPage />
                    // The answers to the portal's forms, rendered at the address they were posted to.
                    <Route path=path!("/portal/apps") view=PortalPage />
                    <Route path=path!("/portal/apps/:id/*rest") view=PortalAnswerPage />
                    <Route path=path!("/portal/clients/:id/*rest") view=PortalClientPage />
                </Routes>
            </Layout>
        </Router>
    }
}
