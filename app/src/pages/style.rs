//! The classes the pages share, so that forms look and behave alike.

pub const CARD: &str = "rounded-lg border border-slate-200 bg-white p-8 shadow-sm";
pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-400 px-3 py-2 text-slate-900 focus:border-teal-700 focus:outline focus:outline-2 focus:outline-teal-700";
pub const PRIMARY: &str = "rounded-md bg-teal-700 px-4 py-2.5 font-semibold text-white hover:bg-teal-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700";
pub const SECONDARY: &str = "rounded-md border border-slate-400 bg-white px-4 py-2.5 font-semibold text-slate-800 hover:bg-slate-100 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-teal-700";
pub const LINK: &str = "font-semibold text-teal-800 underline hover:text-teal-900";
pub const LABEL: &str = "block text-sm font-medium text-slate-800";
pub const ALERT: &str = "rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900";
pub const STATUS: &str = "rounded-md border border-teal-300 bg-teal-50 p-3 text-sm text-teal-900";
pub const FIELD_ERROR: &str = "mt-1 text-sm font-medium text-red-800";
