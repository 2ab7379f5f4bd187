//! Which version an invocation runs: `$LATEST`, a version, or an alias that
//! sends a share of its invocations to other versions, as Lambda's weighted
//! aliases do.

use std::collections::{BTreeMap, BTreeSet};

use rand::Rng;

use super::InvokeError;
use crate::declared::DeclaredFunction;

/// A function's alias and the versions it can run.
#[derive(Debug, Clone, PartialEq)]
pub struct Routing {
    alias: String,
    alias_arn: String,
    function_version: String,
    additional_version_weights: BTreeMap<String, f64>,
    /// The numbered versions that exist: the declared one, and those
    /// `PublishVersion` added (all run the one package the harness has).
    published: BTreeSet<u64>,
}

impl Routing {
    /// The alias as the program declares it.
    pub fn from_declared(function: &DeclaredFunction) -> Self {
        Self {
            alias: function.alias.name.clone(),
            alias_arn: function.alias.arn.clone(),
            function_version: function.alias.function_version.clone(),
            additional_version_weights: function.alias.additional_version_weights.clone(),
            published: function.version.parse().into_iter().collect(),
        }
    }

    /// `PublishVersion`: the next numbered version, after the highest that
    /// exists (Lambda numbers them 1, 2, …).
    pub(crate) fn publish(&mut self) -> String {
        let next = self.published.last().map_or(1, |v| v + 1);
        self.published.insert(next);
        next.to_string()
    }

    /// Whether `version` names a published (numbered) version.
    fn is_published(&self, version: &str) -> bool {
        version
            .parse::<u64>()
            .is_ok_and(|v| self.published.contains(&v))
    }

    /// The alias's name.
    pub fn alias_name(&self) -> &str {
        &self.alias
    }

    /// The alias's ARN.
    pub fn alias_arn(&self) -> &str {
        &self.alias_arn
    }

    /// The version the alias points at.
    pub fn function_version(&self) -> &str {
        &self.function_version
    }

    /// The other versions and their shares.
    pub fn additional_version_weights(&self) -> &BTreeMap<String, f64> {
        &self.additional_version_weights
    }

    /// The version an invocation with `qualifier` runs: the alias draws one
    /// by its weights; a version or `$LATEST` is taken as it is.
    ///
    /// # Errors
    /// [`InvokeError::NotFound`] for a qualifier that names nothing.
    pub(crate) fn resolve(
        &self,
        qualifier: Option<&str>,
        function: &DeclaredFunction,
    ) -> Result<String, InvokeError> {
        match qualifier {
            None | Some("$LATEST") => Ok("$LATEST".to_owned()),
            Some(alias) if alias == self.alias => Ok(self.draw(rand::rng().random::<f64>())),
            Some(version) if self.is_published(version) => Ok(version.to_owned()),
            Some(other) => Err(InvokeError::NotFound(format!(
                "Function not found: {}:{other}",
                function.arn
            ))),
        }
    }

    /// The version a draw `u` in [0, 1) picks: each additional version
    /// takes its weight's share, the alias's own version the rest.
    fn draw(&self, u: f64) -> String {
        let mut bound = 0.0;
        for (version, weight) in &self.additional_version_weights {
            bound += weight;
            if u < bound {
                return version.clone();
            }
        }
        self.function_version.clone()
    }

    /// `UpdateAlias`: a new version and routing, checked as Lambda checks
    /// them: the alias and its weighted versions must be published versions
    /// (never `$LATEST`), the weights each within 0–1 and summing to at most 1.
    ///
    /// # Errors
    /// [`InvokeError`] for an unknown version or weights outside 0–1.
    pub(crate) fn update(
        &mut self,
        function: &DeclaredFunction,
        version: Option<String>,
        weights: Option<BTreeMap<String, f64>>,
    ) -> Result<(), InvokeError> {
        let not_found =
            |v: &str| InvokeError::NotFound(format!("Function not found: {}:{v}", function.arn));
        let check = |v: &str| {
            match v {
            "$LATEST" => Err(InvokeError::InvalidParameter(
                "$LATEST is not a published version: an alias and its routing name published versions"
                    .to_owned(),
            )),
            v if self.is_published(v) => Ok(()),
            v => Err(not_found(v)),
        }
        };
        if let Some(version) = version.as_deref() {
            check(version)?;
        }
        if let Some(weights) = &weights {
            for version in weights.keys() {
                check(version)?;
            }
            let total: f64 = weights.values().sum();
            if weights.values().any(|w| !(0.0..=1.0).contains(w)) || total > 1.0 {
                return Err(InvokeError::InvalidParameter(
                    "AdditionalVersionWeights must be between 0.0 and 1.0 and sum to at most 1.0"
                        .to_owned(),
                ));
            }
        }
        if let Some(version) = version {
            self.function_version = version;
        }
        if let Some(weights) = weights {
            self.additional_version_weights = weights;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routing(weights: &[(&str, f64)]) -> Routing {
        Routing {
            alias: "live".into(),
            alias_arn: "arn:aws:lambda:us-east-1:1:function:f:live".into(),
            function_version: "1".into(),
            additional_version_weights: weights
                .iter()
                .map(|(v, w)| ((*v).to_owned(), *w))
                .collect(),
            published: [1, 2].into(),
        }
    }

    #[test]
    fn an_alias_sends_each_version_its_weights_share() {
        let r = routing(&[("2", 0.25)]);
        assert_eq!(r.draw(0.0), "2");
        assert_eq!(r.draw(0.2499), "2");
        assert_eq!(r.draw(0.25), "1");
        assert_eq!(r.draw(0.99), "1");
        assert_eq!(routing(&[]).draw(0.0), "1");
    }

    #[test]
    fn publishing_numbers_the_next_version() {
        let mut r = routing(&[]);
        assert_eq!(r.publish(), "3");
        assert!(r.is_published("3"));
        assert!(!r.is_published("4"));
        assert!(!r.is_published("$LATEST"));
    }
}
