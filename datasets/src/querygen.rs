//! Writing a query from a need, with the noise real shoppers add.
//!
//! The form is drawn first: a need with a wanted brand is searched by the
//! brand alone with probability `brand_only`; otherwise the query is vague
//! (a phrase for the broad category) with probability `vague`; otherwise it
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
use crate::truth::{Need, QueryForm, QueryNoise};

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
    let form_draw = rng.random::<f64>();
    let mut words: Vec<String> = Vec::new();
    if let Some(brand) = need.brand.filter(|_| form_draw < params.brand_only) {
        noise.form = QueryForm::BrandOnly;
        words.push(leaf.brands[brand as usize].to_lowercase());
    } else if rng.random::<f64>() < params.vague {
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
    use crate::rng::{Purpose, stream};

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
