//! Building blocks shared by the pages.

mod language_switcher;
mod layout;
mod passkey;

pub use language_switcher::LanguageSwitcher;
pub use layout::Layout;
pub use passkey::{AddPasskey, PasskeySignIn};
