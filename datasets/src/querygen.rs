//! Writing a query from a need, with the noise real shoppers add.
//!
//! The form is drawn first. A need the feed seeded draws once more before
//! the usual rules: the shopper remembers the kind of thing seen rather than
//! its product words, so the query is vague with probability
//! `seeded_vague`, or — when the need kept the seen item's brand — the
//! brand alone with probability `seeded_brand_only`; other seeded needs, and
//! every organic or evaluation need (which take no extra draw, so their
//! queries are unchanged), follow the usual rules: a need with a wanted
//! brand is searched by the brand alone with probability `brand_only`;
//! otherwise the query is vague (a phrase for the broad category) with
//! probability `vague`; otherwise it
//! is a full query: the noun — typed as a synonym with probability `synonym`
//! when the leaf has one — with the wanted brand and attribute values, each
//! left out with probability `drop_attribute` and each value typed as a
//! synonym with probability `synonym`. Finally any query gets one typo with
//! probability `typo` in a word of four letters or more.

use rand::RngExt;
use rand::seq::IndexedRandom;

use crate::rng::StreamRng;
use crate::scenario::QueryParams;
use crate::taxonomy::{Dimension, Taxonomy};
use crate::truth::{Need, NeedOrigin, QueryForm, QueryNoise};

/// Writes the query text for `need` and says which noise went into it.
pub fn write_query(
    taxonomy: &Taxonomy,
    need: &Need,
    params: &QueryParams,
    rng: &mut StreamRng,
) -> (String, QueryNoise) {
    let leaf = taxonomy.leaf(need.leaf);
    let mut noise = QueryNoise {
        form: QueryForm::Full,
        wanted: 0,
        dropped: 0,
        synonym: false,
        synonym_possible: leaf.nouns.len() > 1,
        typo: false,
    };
    let seeded_form = match need.origin {
        NeedOrigin::Seeded(_) => {
            let u = rng.random::<f64>();
            if u < params.seeded_vague {
                Some(QueryForm::Vague)
            } else if need.brand.is_some() && u < params.seeded_vague + params.seeded_brand_only {
                Some(QueryForm::BrandOnly)
            } else {
                None
            }
        }
        NeedOrigin::Organic | NeedOrigin::Evaluation => None,
    };
    let form_draw = rng.random::<f64>();
    let form = match seeded_form {
        Some(form) => form,
        None if need.brand.is_some() && form_draw < params.brand_only => QueryForm::BrandOnly,
        None if rng.random::<f64>() < params.vague => QueryForm::Vague,
        None => QueryForm::Full,
    };
    let mut words: Vec<String> = Vec::new();
    if let (QueryForm::BrandOnly, Some(brand)) = (form, need.brand) {
        noise.form = QueryForm::BrandOnly;
        words.push(leaf.brands[brand as usize].to_lowercase());
    } else if form == QueryForm::Vague {
        noise.form = QueryForm::Vague;
        let phrase = taxonomy.tops[leaf.top].vague.choose(rng).map(String::as_str).unwrap_or(&leaf.name);
        words.push(phrase.to_lowercase());
    } else {
        let mut before = Vec::new();
        let mut after = Vec::new();
        if let Some(brand) = need.brand {
            noise.wanted += 1;
            if rng.random::<f64>() < params.drop_attribute {
                noise.dropped += 1;
            } else {
                before.push(leaf.brands[brand as usize].to_lowercase());
            }
        }
        for d in Dimension::ALL {
            let Some(v) = need.attributes.get(d) else { continue };
            noise.wanted += 1;
            if rng.random::<f64>() < params.drop_attribute {
                noise.dropped += 1;
                continue;
            }
            let value = &leaf.values(d)[v as usize];
            let text = match value.synonyms.choose(rng) {
                Some(s) if rng.random::<f64>() < params.synonym => s.clone(),
                _ => value.canonical.clone(),
            };
            // Sizes follow the noun ("frying pan 28 cm"); other attributes precede it.
            if d == Dimension::Size { after.push(text) } else { before.push(text) }
        }
        let noun = if noise.synonym_possible && rng.random::<f64>() < params.synonym {
            noise.synonym = true;
            leaf.nouns[1..].choose(rng).unwrap_or(&leaf.nouns[0]).clone()
        } else {
            leaf.nouns[0].clone()
        };
        words.extend(before);
        words.push(noun);
        words.extend(after);
    }
    let mut text = words.join(" ");
    if rng.random::<f64>() < params.typo
        && let Some(typoed) = add_typo(&text, rng)
    {
        text = typoed;
        noise.typo = true;
    }
    (text, noise)
}

/// One keyboard slip — a deleted, doubled, swapped or replaced letter — inside
/// a word of at least four letters, never at its first letter. `None` when the
/// text has no such word.
fn add_typo(text: &str, rng: &mut StreamRng) -> Option<String> {
    let words: Vec<&str> = text.split(' ').collect();
    let long: Vec<usize> =
        (0..words.len()).filter(|&i| words[i].chars().filter(|c| c.is_alphabetic()).count() >= 4).collect();
    let &w = long.choose(rng)?;
    let mut chars: Vec<char> = words[w].chars().collect();
    let at = rng.random_range(1..chars.len() - 1);
    match rng.random_range(0..4) {
        0 => {
            chars.remove(at);
        }
        1 => chars.insert(at, chars[at]),
        2 => chars.swap(at, at + 1),
        _ => {
            let replacement = (b'a' + rng.random_range(0..26u8)) as char;
            chars[at] = if replacement == chars[at] { 'x' } else { replacement };
        }
    }
    let typoed: String = chars.into_iter().collect();
    if typoed == words[w] {
        return None; // swapping two equal letters changes nothing
    }
    let mut out: Vec<String> = words.iter().map(|s| s.to_string()).collect();
    out[w] = typoed;
    Some(out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{ItemId, LeafId, NeedId, UserId};
    use crate::rng::{Purpose, stream};
    use crate::truth::Attributes;

    /// Shares of vague and brand-only queries over many writings of `need`.
    fn form_shares(need: &Need, params: &QueryParams) -> (f64, f64) {
        let taxonomy = Taxonomy::embedded().unwrap();
        let n = 20_000;
        let (mut vague, mut brand_only) = (0, 0);
        for i in 0..n {
            let (_, noise) = write_query(&taxonomy, need, params, &mut stream(1, Purpose::EvaluationQuery, i, 0));
            vague += (noise.form == QueryForm::Vague) as u32;
            brand_only += (noise.form == QueryForm::BrandOnly) as u32;
        }
        (vague as f64 / n as f64, brand_only as f64 / n as f64)
    }

    #[test]
    fn seeded_needs_are_searched_vaguely_or_by_brand_at_the_configured_rates() {
        // The usual rules write no vague or brand-only query, so every one
        // comes from the seeded draw.
        let params = QueryParams {
            brand_only: 0.0,
            vague: 0.0,
            seeded_vague: 0.2,
            seeded_brand_only: 0.35,
            ..QueryParams::default()
        };
        let need = |origin, brand| Need {
            id: NeedId(0),
            user: UserId(0),
            leaf: LeafId(0),
            attributes: Attributes::EMPTY,
            brand,
            origin,
            opened: 0,
            closed: None,
            bought: None,
        };
        // Four standard deviations of a share over 20 000 draws is at most 0.015.
        let close = |got: f64, want: f64| assert!((got - want).abs() < 0.015, "{got} vs {want}");
        let (vague, brand_only) = form_shares(&need(NeedOrigin::Seeded(ItemId(0)), Some(0)), &params);
        close(vague, 0.2);
        close(brand_only, 0.35);
        // Without a remembered brand there is no brand to type.
        let (vague, brand_only) = form_shares(&need(NeedOrigin::Seeded(ItemId(0)), None), &params);
        close(vague, 0.2);
        assert_eq!(brand_only, 0.0);
        // Organic needs ignore the seeded rates.
        assert_eq!(form_shares(&need(NeedOrigin::Organic, Some(0)), &params), (0.0, 0.0));
    }

    #[test]
    fn typo_changes_exactly_one_long_word() {
        for i in 0..500 {
            let mut rng = stream(1, Purpose::EvaluationQuery, i, 0);
            let text = "red cast iron skillet 28 cm";
            if let Some(t) = add_typo(text, &mut rng) {
                let a: Vec<&str> = text.split(' ').collect();
                let b: Vec<&str> = t.split(' ').collect();
                assert_eq!(a.len(), b.len());
                let changed: Vec<usize> = (0..a.len()).filter(|&k| a[k] != b[k]).collect();
                assert_eq!(changed.len(), 1, "{t}");
                assert!(a[changed[0]].len() >= 4);
            }
        }
        assert!(add_typo("a to cm", &mut stream(1, Purpose::EvaluationQuery, 0, 0)).is_none());
    }
}
