//! Scenario files: every constant of the world model, with its default.
//!
//! A scenario is TOML. Every section and field is optional; a missing field
//! takes the default documented here, and `scale` picks the sizes
//! (items, users, days, query count, judgement caps) of a named preset unless
//! the file sets them. Unknown fields are errors, so a typo never silently
//! falls back to a default.
//!
//! ```toml
//! scale = "small"
//! [queries]
//! typo = 0.1
//! ```

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{DatasetError, Result};

/// Named world sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scale {
    /// A few hundred items: unit and property tests.
    Tiny,
    /// 20k items, 10k users: the demo and CI.
    #[default]
    Small,
    /// About 1M items, 1M users and 20M log events.
    Medium,
    /// 10M items; logs stream to disk in bounded memory.
    Large,
}

impl Scale {
    /// Parses a scale name.
    pub fn parse(name: &str) -> Option<Scale> {
        match name {
            "tiny" => Some(Scale::Tiny),
            "small" => Some(Scale::Small),
            "medium" => Some(Scale::Medium),
            "large" => Some(Scale::Large),
            _ => None,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scale::Tiny => "tiny",
            Scale::Small => "small",
            Scale::Medium => "medium",
            Scale::Large => "large",
        }
    }

    /// (items, users, log days, evaluation queries, max judged substitutes and
    /// complements per query).
    fn sizes(self) -> (u32, u32, u32, u32, u32) {
        match self {
            Scale::Tiny => (600, 300, 20, 60, 2_000),
            Scale::Small => (20_000, 10_000, 60, 1_000, 2_000),
            Scale::Medium => (1_000_000, 1_000_000, 15, 2_000, 500),
            Scale::Large => (10_000_000, 10_000_000, 15, 2_000, 500),
        }
    }
}

/// A whole scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// The size preset; fields set in the file win over it.
    pub scale: Scale,
    /// World sizes and the latent space.
    pub world: WorldParams,
    /// Items and their observable statistics.
    pub items: ItemParams,
    /// Users' latent traits.
    pub users: UserParams,
    /// How needs arise.
    pub needs: NeedParams,
    /// The evaluation query set and its noise.
    pub queries: QueryParams,
    /// Relevance judgements.
    pub judgements: JudgementParams,
    /// How users react to a shown list (shared by the log generator and the simulator).
    pub behaviour: BehaviourParams,
    /// The historical log period and its logging policy.
    pub logs: LogParams,
}

/// World sizes and the latent space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorldParams {
    /// Number of items (default: by scale; small 20 000).
    pub items: u32,
    /// Number of users (default: by scale; small 10 000).
    pub users: u32,
    /// Dimension of the latent interest space (default 32).
    pub latent_dim: u32,
    /// Zipf exponent of leaf popularity: share of items and interest per leaf (default 0.9).
    pub leaf_zipf: f64,
    /// Number of region codes in user profiles (default 8).
    pub regions: u32,
}

/// Items.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ItemParams {
    /// Quality ~ Beta(quality_alpha, quality_beta) (default 2.0).
    pub quality_alpha: f64,
    /// See `quality_alpha` (default 2.0).
    pub quality_beta: f64,
    /// Standard deviation of the rating around 1 + 4·quality (default 0.5).
    pub rating_noise: f64,
    /// ln(sales) ~ Normal(sales_log_mean + sales_quality_lift·(quality − 0.5), sales_log_sigma) (default 2.5).
    pub sales_log_mean: f64,
    /// See `sales_log_mean` (default 1.4).
    pub sales_log_sigma: f64,
    /// See `sales_log_mean` (default 2.0).
    pub sales_quality_lift: f64,
    /// Share of sales that leave a review (default 0.08).
    pub review_rate: f64,
    /// ln(price) shifts by price_quality_lift·(quality − 0.5): better items cost more (default 0.4).
    pub price_quality_lift: f64,
    /// Share of titles that use a synonym of the leaf's noun instead of the canonical one (default 0.3).
    pub title_synonym_rate: f64,
    /// Weight of attribute directions in an item's latent vector (default 0.35).
    pub attribute_weight: f64,
    /// Norm of the isotropic noise in an item's latent vector (default 0.35).
    pub latent_noise: f64,
}

/// Users.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UserParams {
    /// A user is interested in 1..=max_interest_leaves leaves (default 4).
    pub max_interest_leaves: u32,
    /// Dirichlet concentration of the weights over those leaves (default 1.0).
    pub interest_concentration: f64,
    /// Weight of the user's taste in colours and styles (default 0.3).
    pub taste_weight: f64,
    /// Norm of the noise in a user's latent vector (default 0.25).
    pub latent_noise: f64,
    /// Median price sensitivity λ (default 1.0); ln λ ~ Normal(ln median, sigma).
    pub price_sensitivity_median: f64,
    /// See `price_sensitivity_median` (default 0.5).
    pub price_sensitivity_sigma: f64,
    /// Mean sessions per day; activity ~ Gamma(shape 2, mean) (default 0.25).
    pub activity_mean: f64,
    /// Dirichlet concentration of persona weights (shelf, interest, social)
    /// (default [1.0, 2.0, 0.5]). A session with an open need is a search with
    /// probability shelf / (shelf + interest), 1/3 on average: on an interest
    /// platform the feed holds most of the traffic, and with the other
    /// defaults this puts search near 40% of logged GMV, where Douyin
    /// e-commerce reported its shelf field (30%+ of GMV in 2023, aiming
    /// higher; docs/world-model.md).
    pub persona_concentration: [f64; 3],
}

/// Needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NeedParams {
    /// Organic needs per user per day (default 0.04, about one a month: with
    /// the feed seeding needs too, this is the share of demand that exists
    /// before any touchpoint, calibrated with `users.persona_concentration`
    /// and `behaviour.seed_offset` to the search share of GMV in
    /// docs/world-model.md).
    pub organic_rate: f64,
    /// Softmax temperature of the leaf choice over ⟨θ_u, leaf⟩ (default 6.0).
    pub leaf_temperature: f64,
    /// Probability that a need fixes each attribute dimension of its leaf (default 0.5).
    pub want_attribute: f64,
    /// Probability that an organic need insists on a brand (default 0.15).
    pub want_brand: f64,
    /// Probability that a seeded need wants the seen item's brand (default 0.5).
    pub seeded_brand: f64,
    /// Mean days a need stays open before it is abandoned (default 10.0).
    pub patience_days: f64,
    /// Probability that a need the feed seeds is deferred: not acted on in
    /// the session that seeded it, it opens `seeded_delay_days` later (on
    /// average) and is then looked for like any open need, in search as
    /// often as the user's persona searches. This is the seeded-search path
    /// ("search after viewing"): without it a seeded need is open at once and
    /// mostly converts on the spot in the feed, so feed exposure could never
    /// show up as search GMV. Default 0.5: about half of what a feed item
    /// makes a user want is a considered purchase rather than an impulse, the
    /// split that puts search near 40% of logged GMV with the other defaults
    /// (docs/world-model.md). Range 0 to 1.
    pub seeded_defer: f64,
    /// Mean delay, in days, before a deferred seeded need opens; the delay is
    /// exponential (default 2.0: shoppers come back to what they saw within a
    /// few days, well inside the default patience of 10 days and the 28-day
    /// budget period). Range: greater than 0, at most 365.
    pub seeded_delay_days: f64,
}

/// The query noise model, each a probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueryParams {
    /// Queries in the evaluation set (default: by scale; small 1 000).
    pub count: u32,
    /// A wanted attribute (or brand) is left out of the query (default 0.35).
    pub drop_attribute: f64,
    /// The noun and each attribute value is typed as a synonym when one exists (default 0.4).
    pub synonym: f64,
    /// A query has one typo in a word of four letters or more (default 0.08).
    pub typo: f64,
    /// A need with a wanted brand is searched by the brand name alone (default 0.25).
    pub brand_only: f64,
    /// A query names only the broad category in vague words (default 0.06).
    pub vague: f64,
    /// A need the feed seeded is searched with a vague phrase for its broad
    /// category (default 0.3). The shopper remembers the kind of thing seen,
    /// rarely its product words, so seeded searches are vaguer than organic
    /// ones (`vague` is 0.06): what a search engine can recover of them
    /// depends on what it knows of the user's feed. Drawn before the usual
    /// rules, which write the rest. Range 0 to 1; with
    /// `seeded_brand_only` at most 1.
    pub seeded_vague: f64,
    /// A need the feed seeded that remembers the seen item's brand (see
    /// `needs.seeded_brand`) is searched by the brand name alone (default
    /// 0.3, a little above `brand_only`'s 0.25: the brand on the item is what
    /// sticks). Shares the draw with `seeded_vague`: the query is vague below
    /// `seeded_vague`, brand-only below `seeded_vague + seeded_brand_only`
    /// when the need has a brand, otherwise written by the usual rules.
    /// Range 0 to 1; with `seeded_vague` at most 1.
    pub seeded_brand_only: f64,
}

/// Relevance judgements, graded like Amazon ESCI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JudgementParams {
    /// Gain of each grade. Default E = 1.0, S = 0.1, C = 0.01, I = 0 as in the
    /// ESCI paper; note that ESCI's own scoring script swaps S and C (S = 0.01, C = 0.1).
    pub gains: Gains,
    /// At most this many Substitute and this many Complement judgements per
    /// query, sampled uniformly; Exact items are always all judged (default: by scale; small 2 000).
    pub max_per_grade: u32,
}

/// Gain per grade.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Gains {
    /// Exact.
    pub exact: f64,
    /// Substitute.
    pub substitute: f64,
    /// Complement.
    pub complement: f64,
    /// Irrelevant.
    pub irrelevant: f64,
}

/// The behaviour model: how a user reacts to a shown list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BehaviourParams {
    /// Rank r (from 1) is examined with probability 1 / r^η (default 1.0).
    pub examination_eta: f64,
    /// Click logit weight of need match (1 / 0.5 / 0 for E / S / other) (default 2.5).
    pub click_match: f64,
    /// Click logit weight of latent affinity ⟨θ_u, φ_i⟩ (default 3.0).
    pub click_affinity: f64,
    /// Click logit weight of trust (default 1.0).
    pub click_trust: f64,
    /// Click logit offset d (default 4.0).
    pub click_offset: f64,
    /// Purchase utility weight of need match (default 2.5).
    pub buy_match: f64,
    /// Purchase utility weight of affinity (default 1.5).
    pub buy_affinity: f64,
    /// Purchase utility weight of trust (default 1.0).
    pub buy_trust: f64,
    /// Utility of buying nothing (default 3.5).
    pub no_purchase_utility: f64,
    /// Probability a clicked item that is not bought is still put in the cart (default 0.15).
    pub cart_abandon: f64,
    /// Seeding: a clicked feed item opens a need with probability σ(slope·⟨θ_u, φ_i⟩ − offset) (default 4.0).
    pub seed_slope: f64,
    /// See `seed_slope` (default 1.5: a clicked feed item of average
    /// affinity seeds a need with probability σ(−1.5) ≈ 0.18, a liked one
    /// (affinity 0.5) σ(0.5) ≈ 0.6; the feed creates demand, which is what
    /// interest e-commerce is, and with half of it deferred to a later search
    /// the channels split GMV as in docs/world-model.md).
    pub seed_offset: f64,
    /// Trust = ½·(rating − 1)/4 + ½·min(1, ln(1+sales)/ln(1+trust_sales_reference)) (default 1000).
    pub trust_sales_reference: f64,
    /// Weight, in utility units, of the shopper's taste for an item's style
    /// within its product type, added to both the click logit and the
    /// purchase utility. The taste term is the cosine between the parts of
    /// θ_u and φ_i orthogonal to the item's leaf centroid, times √(dim − 1),
    /// so it has unit variance for a direction unrelated to the user: the
    /// weight is the utility of one standard deviation of taste. Without it
    /// two users with the same need want nearly the same items (affinity is
    /// dominated by the shared leaf direction), so personalising search could
    /// gain almost nothing. Default 0.5: to a shopper of median price
    /// sensitivity (λ = 1) one standard deviation of taste is worth paying
    /// e^0.5 ≈ 1.65 times the price, the size of the premiums shoppers pay
    /// for a preferred brand or style (tens of percent), and it stays below
    /// the Gumbel noise (sd 1.28) and an attribute mismatch (1.25). Range 0
    /// to 10.
    pub within_leaf_taste: f64,
    /// Mean spending budget of a user per 28 days, in the catalogue's money;
    /// 0 means unbounded (default 1500). Finite demand makes the channels
    /// substitutes: money spent on a feed impulse is not there for a later
    /// search, which is what lets a "1+1>2" claim fail. A purchase whose
    /// price exceeds what is left is declined. GMV is dominated by dear
    /// product types (medians up to 900), so a budget near the mean spend
    /// (about 50) would forbid them outright; at 1500 the budget binds on
    /// heavy buyers and big-ticket items and forgoes about 13% of unbounded
    /// GMV and 3% of purchases (docs/world-model.md). Range 0 to 10⁹.
    pub budget_mean: f64,
    /// Standard deviation of ln(budget): budgets are lognormal with mean
    /// `budget_mean` (default 0.8: the top decile's budget is about 2.8
    /// times the median, like the spread of household discretionary
    /// spending). Range 0 to 3.
    pub budget_spread: f64,
}

/// The historical log period and its non-personalised logging policy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogParams {
    /// Length of the logged period in days (default: by scale; tiny 20, small 60, medium and large 15).
    pub days: u32,
    /// Items shown per result list or feed page (default 20).
    pub list_length: u32,
    /// The feed samples items with probability ∝ (sales + 1)^exponent (default 0.8).
    pub feed_popularity_exponent: f64,
    /// The search policy scores items by matched query terms, considering the
    /// top `term_depth` best sellers of each term (default 300).
    pub term_depth: u32,
}

impl Default for WorldParams {
    fn default() -> Self {
        let (items, users, ..) = Scale::Small.sizes();
        WorldParams { items, users, latent_dim: 32, leaf_zipf: 0.9, regions: 8 }
    }
}

impl Default for ItemParams {
    fn default() -> Self {
        ItemParams {
            quality_alpha: 2.0,
            quality_beta: 2.0,
            rating_noise: 0.5,
            sales_log_mean: 2.5,
            sales_log_sigma: 1.4,
            sales_quality_lift: 2.0,
            review_rate: 0.08,
            price_quality_lift: 0.4,
            title_synonym_rate: 0.45,
            attribute_weight: 0.35,
            latent_noise: 0.35,
        }
    }
}

impl Default for UserParams {
    fn default() -> Self {
        UserParams {
            max_interest_leaves: 4,
            interest_concentration: 1.0,
            taste_weight: 0.3,
            latent_noise: 0.25,
            price_sensitivity_median: 1.0,
            price_sensitivity_sigma: 0.5,
            activity_mean: 0.25,
            persona_concentration: [1.0, 2.0, 0.5],
        }
    }
}

impl Default for NeedParams {
    fn default() -> Self {
        NeedParams {
            organic_rate: 0.04,
            leaf_temperature: 6.0,
            want_attribute: 0.5,
            want_brand: 0.15,
            seeded_brand: 0.5,
            patience_days: 10.0,
            seeded_defer: 0.5,
            seeded_delay_days: 2.0,
        }
    }
}

impl Default for QueryParams {
    fn default() -> Self {
        QueryParams {
            count: Scale::Small.sizes().3,
            drop_attribute: 0.35,
            synonym: 0.4,
            typo: 0.08,
            brand_only: 0.25,
            vague: 0.06,
            seeded_vague: 0.3,
            seeded_brand_only: 0.3,
        }
    }
}

impl Default for JudgementParams {
    fn default() -> Self {
        JudgementParams { gains: Gains::default(), max_per_grade: Scale::Small.sizes().4 }
    }
}

impl Default for Gains {
    fn default() -> Self {
        Gains { exact: 1.0, substitute: 0.1, complement: 0.01, irrelevant: 0.0 }
    }
}

impl Default for BehaviourParams {
    fn default() -> Self {
        BehaviourParams {
            examination_eta: 1.0,
            click_match: 2.5,
            click_affinity: 3.0,
            click_trust: 1.0,
            click_offset: 4.0,
            buy_match: 2.5,
            buy_affinity: 1.5,
            buy_trust: 1.0,
            no_purchase_utility: 3.5,
            cart_abandon: 0.15,
            seed_slope: 4.0,
            seed_offset: 1.5,
            trust_sales_reference: 1000.0,
            within_leaf_taste: 0.5,
            budget_mean: 1500.0,
            budget_spread: 0.8,
        }
    }
}

impl Default for LogParams {
    fn default() -> Self {
        LogParams { days: Scale::Small.sizes().2, list_length: 20, feed_popularity_exponent: 0.8, term_depth: 300 }
    }
}

/// Where a scenario came from, for error messages.
const PRESET: &str = "<preset>";

impl Scenario {
    /// The built-in scenario of a scale, with every default.
    pub fn preset(scale: Scale) -> Scenario {
        let mut scenario = Scenario { scale, ..Scenario::default() };
        scenario.apply_scale(&toml::Table::new());
        scenario
    }

    /// Reads and validates a scenario file.
    pub fn from_file(path: &Path) -> Result<Scenario> {
        Scenario::load(Some(path), None)
    }

    /// The scenario of a file (or the defaults without one), with `scale`,
    /// when given, in place of the file's own.
    pub fn load(path: Option<&Path>, scale: Option<Scale>) -> Result<Scenario> {
        match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| DatasetError::io(path, e))?;
                Scenario::from_toml_at_scale(&text, path, scale)
            }
            None => Ok(Scenario::preset(scale.unwrap_or_default())),
        }
    }

    /// Parses and validates scenario text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &Path) -> Result<Scenario> {
        Scenario::from_toml_at_scale(text, file, None)
    }

    /// Like [`Scenario::from_toml`], with `scale` (when given) in place of the file's own.
    pub fn from_toml_at_scale(text: &str, file: &Path, scale: Option<Scale>) -> Result<Scenario> {
        let syntax = |e: toml::de::Error| DatasetError::ScenarioSyntax {
            file: file.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        };
        let raw: toml::Table = toml::from_str(text).map_err(syntax)?;
        let mut scenario: Scenario = toml::from_str(text).map_err(syntax)?;
        if let Some(scale) = scale {
            scenario.scale = scale;
        }
        scenario.apply_scale(&raw);
        scenario.validate_as(file)?;
        Ok(scenario)
    }

    /// The scenario as TOML, every field written out.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario always serialises")
    }

    /// Sets the scale-dependent sizes the file did not set itself.
    fn apply_scale(&mut self, raw: &toml::Table) {
        let (items, users, days, queries, max_per_grade) = self.scale.sizes();
        let set =
            |section: &str, key: &str| raw.get(section).and_then(|s| s.as_table()).is_some_and(|t| t.contains_key(key));
        if !set("world", "items") {
            self.world.items = items;
        }
        if !set("world", "users") {
            self.world.users = users;
        }
        if !set("logs", "days") {
            self.logs.days = days;
        }
        if !set("queries", "count") {
            self.queries.count = queries;
        }
        if !set("judgements", "max_per_grade") {
            self.judgements.max_per_grade = max_per_grade;
        }
    }

    /// Checks every range; the error names the field.
    pub fn validate(&self) -> Result<()> {
        self.validate_as(Path::new(PRESET))
    }

    fn validate_as(&self, file: &Path) -> Result<()> {
        let mut checks = Checks { file, error: None };
        let w = &self.world;
        checks.at_least("world.items", w.items as f64, 1.0);
        checks.at_least("world.users", w.users as f64, 1.0);
        checks.range("world.latent_dim", w.latent_dim as f64, 2.0, 1024.0);
        checks.range("world.leaf_zipf", w.leaf_zipf, 0.0, 5.0);
        checks.range("world.regions", w.regions as f64, 1.0, 255.0);
        let i = &self.items;
        checks.positive("items.quality_alpha", i.quality_alpha);
        checks.positive("items.quality_beta", i.quality_beta);
        checks.non_negative("items.rating_noise", i.rating_noise);
        checks.range("items.sales_log_mean", i.sales_log_mean, -5.0, 15.0);
        checks.non_negative("items.sales_log_sigma", i.sales_log_sigma);
        checks.range("items.sales_quality_lift", i.sales_quality_lift, -10.0, 10.0);
        checks.probability("items.review_rate", i.review_rate);
        checks.range("items.price_quality_lift", i.price_quality_lift, -3.0, 3.0);
        checks.probability("items.title_synonym_rate", i.title_synonym_rate);
        checks.non_negative("items.attribute_weight", i.attribute_weight);
        checks.non_negative("items.latent_noise", i.latent_noise);
        let u = &self.users;
        checks.range("users.max_interest_leaves", u.max_interest_leaves as f64, 1.0, 16.0);
        checks.positive("users.interest_concentration", u.interest_concentration);
        checks.non_negative("users.taste_weight", u.taste_weight);
        checks.non_negative("users.latent_noise", u.latent_noise);
        checks.positive("users.price_sensitivity_median", u.price_sensitivity_median);
        checks.non_negative("users.price_sensitivity_sigma", u.price_sensitivity_sigma);
        checks.positive("users.activity_mean", u.activity_mean);
        for (k, c) in ["shelf", "interest", "social"].iter().zip(u.persona_concentration) {
            checks.positive(&format!("users.persona_concentration.{k}"), c);
        }
        let n = &self.needs;
        checks.non_negative("needs.organic_rate", n.organic_rate);
        checks.non_negative("needs.leaf_temperature", n.leaf_temperature);
        checks.probability("needs.want_attribute", n.want_attribute);
        checks.probability("needs.want_brand", n.want_brand);
        checks.probability("needs.seeded_brand", n.seeded_brand);
        checks.positive("needs.patience_days", n.patience_days);
        checks.probability("needs.seeded_defer", n.seeded_defer);
        checks.positive("needs.seeded_delay_days", n.seeded_delay_days);
        checks.range("needs.seeded_delay_days", n.seeded_delay_days, 0.0, 365.0);
        let q = &self.queries;
        checks.at_least("queries.count", q.count as f64, 1.0);
        checks.probability("queries.drop_attribute", q.drop_attribute);
        checks.probability("queries.synonym", q.synonym);
        checks.probability("queries.typo", q.typo);
        checks.probability("queries.brand_only", q.brand_only);
        checks.probability("queries.vague", q.vague);
        checks.probability("queries.seeded_vague", q.seeded_vague);
        checks.probability("queries.seeded_brand_only", q.seeded_brand_only);
        checks.range(
            "queries.seeded_vague + queries.seeded_brand_only",
            q.seeded_vague + q.seeded_brand_only,
            0.0,
            1.0,
        );
        let g = &self.judgements.gains;
        checks.non_negative("judgements.gains.exact", g.exact);
        checks.non_negative("judgements.gains.substitute", g.substitute);
        checks.non_negative("judgements.gains.complement", g.complement);
        checks.non_negative("judgements.gains.irrelevant", g.irrelevant);
        checks.at_least("judgements.max_per_grade", self.judgements.max_per_grade as f64, 1.0);
        let b = &self.behaviour;
        checks.non_negative("behaviour.examination_eta", b.examination_eta);
        for (name, v) in [
            ("click_match", b.click_match),
            ("click_affinity", b.click_affinity),
            ("click_trust", b.click_trust),
            ("click_offset", b.click_offset),
            ("buy_match", b.buy_match),
            ("buy_affinity", b.buy_affinity),
            ("buy_trust", b.buy_trust),
            ("no_purchase_utility", b.no_purchase_utility),
            ("seed_slope", b.seed_slope),
            ("seed_offset", b.seed_offset),
        ] {
            checks.range(&format!("behaviour.{name}"), v, -100.0, 100.0);
        }
        checks.probability("behaviour.cart_abandon", b.cart_abandon);
        checks.at_least("behaviour.trust_sales_reference", b.trust_sales_reference, 1.0);
        checks.range("behaviour.within_leaf_taste", b.within_leaf_taste, 0.0, 10.0);
        checks.range("behaviour.budget_mean", b.budget_mean, 0.0, 1e9);
        checks.range("behaviour.budget_spread", b.budget_spread, 0.0, 3.0);
        let l = &self.logs;
        checks.range("logs.days", l.days as f64, 1.0, 3650.0);
        checks.range("logs.list_length", l.list_length as f64, 1.0, 1000.0);
        checks.range("logs.feed_popularity_exponent", l.feed_popularity_exponent, 0.0, 4.0);
        checks.at_least("logs.term_depth", l.term_depth as f64, 1.0);
        match checks.error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Collects the first range violation.
struct Checks<'a> {
    file: &'a Path,
    error: Option<DatasetError>,
}

impl Checks<'_> {
    fn fail(&mut self, field: &str, value: f64, allowed: String) {
        if self.error.is_none() {
            self.error = Some(DatasetError::ScenarioField {
                file: PathBuf::from(self.file),
                field: field.to_string(),
                message: format!("{value} is out of range; allowed: {allowed}"),
            });
        }
    }

    fn range(&mut self, field: &str, value: f64, lo: f64, hi: f64) {
        if !(lo..=hi).contains(&value) {
            self.fail(field, value, format!("{lo} to {hi}"));
        }
    }

    fn probability(&mut self, field: &str, value: f64) {
        self.range(field, value, 0.0, 1.0);
    }

    fn at_least(&mut self, field: &str, value: f64, lo: f64) {
        if value.is_nan() || value < lo {
            self.fail(field, value, format!("at least {lo}"));
        }
    }

    fn non_negative(&mut self, field: &str, value: f64) {
        if !(value >= 0.0 && value.is_finite()) {
            self.fail(field, value, "a finite number ≥ 0".to_string());
        }
    }

    fn positive(&mut self, field: &str, value: f64) {
        if !(value > 0.0 && value.is_finite()) {
            self.fail(field, value, "a finite number > 0".to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Scenario> {
        Scenario::from_toml(text, Path::new("s.toml"))
    }

    #[test]
    fn empty_file_is_the_small_preset() {
        assert_eq!(parse("").unwrap(), Scenario::preset(Scale::Small));
    }

    #[test]
    fn scale_sets_sizes_the_file_leaves_unset() {
        let s = parse("scale = \"tiny\"\n[world]\nusers = 77\n").unwrap();
        assert_eq!(s.world.items, Scenario::preset(Scale::Tiny).world.items);
        assert_eq!(s.world.users, 77);
    }

    #[test]
    fn unknown_field_is_named_with_its_line() {
        let err = parse("[queries]\ntypos = 0.1\n").unwrap_err().to_string();
        assert!(err.starts_with("s.toml") && err.contains("typos") && err.contains("line 2"), "{err}");
    }

    #[test]
    fn rate_outside_unit_interval_names_the_field() {
        let err = parse("[queries]\ntypo = 1.5\n").unwrap_err().to_string();
        assert!(err.contains("`queries.typo`") && err.contains("0 to 1"), "{err}");
    }

    #[test]
    fn seeded_query_forms_share_one_draw() {
        let err = parse("[queries]\nseeded_vague = 0.6\nseeded_brand_only = 0.5\n").unwrap_err().to_string();
        assert!(err.contains("seeded_vague + queries.seeded_brand_only") && err.contains("0 to 1"), "{err}");
        assert!(parse("[needs]\nseeded_delay_days = 0\n").is_err());
        assert!(parse("[behaviour]\nbudget_mean = -1\n").is_err());
        assert!(parse("[behaviour]\nwithin_leaf_taste = 11\n").is_err());
        assert!(parse("[behaviour]\nbudget_mean = 0\n[needs]\nseeded_defer = 1\n").is_ok());
    }

    #[test]
    fn negative_size_is_rejected() {
        let err = parse("[world]\nitems = -5\n").unwrap_err().to_string();
        assert!(err.contains("s.toml") && err.contains("items"), "{err}");
        let err = parse("[world]\nitems = 0\n").unwrap_err().to_string();
        assert!(err.contains("`world.items`"), "{err}");
    }

    #[test]
    fn round_trips_through_toml() {
        let s = Scenario::preset(Scale::Medium);
        assert_eq!(parse(&s.to_toml()).unwrap(), s);
    }
}
