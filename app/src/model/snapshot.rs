//! What the live state's snapshots need from serde beyond its derives.
//!
//! The ledger and the KPI engine share one copy of each agent and queue id, skill set and
//! customer name between many conversations (`Arc`s). Read back field by field, every field
//! would get a copy of its own: a million conversations' worth. While [`sharing`] runs, the
//! helpers here give equal strings one shared copy again, as the live path had them.
//!
//! Serialized, a shared string is just a string: the format does not change.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::BuildHasher;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

type Set<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// The copies handed out so far by this thread's [`sharing`].
#[derive(Default)]
struct Pool {
    strs: Set<Arc<str>>,
    skills: Set<Arc<[String]>>,
}

thread_local! {
    static POOL: RefCell<Option<Pool>> = const { RefCell::new(None) };
}

/// Puts the thread's previous pool back, also when the reading panics.
struct Restore(Option<Pool>);

impl Drop for Restore {
    fn drop(&mut self) {
        POOL.with(|p| *p.borrow_mut() = self.0.take());
    }
}

/// Runs `read` (a deserialization) so that equal strings read by the helpers of this module
/// share one copy. Outside it, each gets its own.
pub fn sharing<R>(read: impl FnOnce() -> R) -> R {
    let _restore = Restore(POOL.with(|p| p.replace(Some(Pool::default()))));
    read()
}

/// The shared copy of `s`.
pub fn str(s: &str) -> Arc<str> {
    POOL.with(|p| match p.borrow_mut().as_mut() {
        Some(pool) => match pool.strs.get(s) {
            Some(a) => a.clone(),
            None => {
                let a: Arc<str> = Arc::from(s);
                pool.strs.insert(a.clone());
                a
            }
        },
        None => Arc::from(s),
    })
}

/// The shared copy of a skill set.
pub fn skill_set(s: &[String]) -> Arc<[String]> {
    POOL.with(|p| match p.borrow_mut().as_mut() {
        Some(pool) => match pool.skills.get(s) {
            Some(a) => a.clone(),
            None => {
                let a: Arc<[String]> = Arc::from(s);
                pool.skills.insert(a.clone());
                a
            }
        },
        None => Arc::from(s),
    })
}

/// A string read as its shared copy.
struct Shared(Arc<str>);

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Shared, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Shared;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Shared, E> {
                Ok(Shared(str(s)))
            }
        }
        d.deserialize_str(V)
    }
}

/// `deserialize_with` for an `Arc<str>` field.
pub fn name<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    Shared::deserialize(d).map(|s| s.0)
}

/// `deserialize_with` for an `Option<Arc<str>>` field.
pub fn opt_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<str>>, D::Error> {
    Option::<Shared>::deserialize(d).map(|s| s.map(|s| s.0))
}

/// `deserialize_with` for an `Arc<[String]>` field (a skill set).
pub fn skills<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<[String]>, D::Error> {
    Vec::<String>::deserialize(d).map(|s| skill_set(&s))
}

/// `deserialize_with` for a map keyed by `Arc<str>`.
pub fn keyed<'de, D, V, S>(d: D) -> Result<HashMap<Arc<str>, V, S>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
    S: BuildHasher + Default,
{
    struct Keyed<V, S>(PhantomData<(V, S)>);
    impl<'de, V: Deserialize<'de>, S: BuildHasher + Default> Visitor<'de> for Keyed<V, S> {
        type Value = HashMap<Arc<str>, V, S>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            // The hint comes from the file: trusted only up to ~1 MiB (as serde's own maps do).
            let cautious = (1 << 20) / std::mem::size_of::<(Arc<str>, V)>().max(1);
            let hint = map.size_hint().unwrap_or(0).min(cautious);
            let mut out = HashMap::with_capacity_and_hasher(hint, S::default());
            while let Some((Shared(k), v)) = map.next_entry::<Shared, V>()? {
                out.insert(k, v);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Keyed(PhantomData))
}

/// `serialize_with` for an array longer than serde's 32: as a sequence.
pub fn array_out<T: Serialize, const N: usize, S: Serializer>(
    a: &[T; N],
    s: S,
) -> Result<S::Ok, S::Error> {
    s.collect_seq(a)
}

/// `deserialize_with` for an array written by [`array_out`]; a wrong length is an error.
pub fn array_in<'de, T, const N: usize, D>(d: D) -> Result<[T; N], D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    struct Seq<T, const N: usize>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>, const N: usize> Visitor<'de> for Seq<T, N> {
        type Value = [T; N];
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "{N} elements")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<[T; N], A::Error> {
            let mut v = Vec::with_capacity(N);
            while let Some(x) = seq.next_element()? {
                v.push(x);
            }
            let len = v.len();
            v.try_into()
                .map_err(|_| serde::de::Error::invalid_length(len, &self))
        }
    }
    d.deserialize_seq(Seq(PhantomData))
}

/// Identifies the source of the state's types in this build (see `app/build.rs`): a snapshot
/// with another fingerprint is not read.
pub const FINGERPRINT: &str = env!("INTRADAY_STATE_FINGERPRINT");
