//! The SSM parameters the functions find through an environment variable
//! that names them: the ntfy URL the send-notification function publishes
//! to, which the harness points at this machine, and the API key the webapi
//! function checks, which the tests read.

use std::collections::BTreeMap;

use crate::declared::{Declared, DeclaredParameter};

/// The variable through which the send-notification function finds the
/// ntfy URL's parameter (`rez_aws::settings`): the parameter the harness
/// points at this machine's ntfy.
const NTFY_URL_PARAMETER_VAR: &str = "REZ_NTFY_URL_PARAMETER";
/// The variable through which the webapi function finds its API key's
/// parameter (`rez_aws::settings`).
pub(super) const API_KEY_PARAMETER_VAR: &str = "REZ_API_KEY_PARAMETER";

/// The ntfy URL parameter of every function that reads one → `url` with the
/// declared URL's topic path, so the functions publish to this machine.
pub(super) fn ntfy_parameters(declared: &Declared, url: &str) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    if let Some(parameter) = parameter_named_by(declared, NTFY_URL_PARAMETER_VAR) {
        let topic = url::Url::parse(&parameter.value)
            .map(|u| u.path().to_owned())
            .unwrap_or_default();
        let base = url.trim_end_matches('/');
        let own_path = url::Url::parse(url)
            .map(|u| u.path().len() > 1)
            .unwrap_or(false);
        let value = if own_path {
            base.to_owned()
        } else {
            format!("{base}{topic}")
        };
        values.insert(parameter.name.clone(), value);
    }
    values
}

/// The parameter a function's environment variable `var` names.
pub(super) fn parameter_named_by<'a>(
    declared: &'a Declared,
    var: &str,
) -> Option<&'a DeclaredParameter> {
    let name = declared
        .functions
        .iter()
        .find_map(|f| f.environment.get(var))?;
    declared.parameters.iter().find(|p| &p.name == name)
}
