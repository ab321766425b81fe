use std::io::Cursor;

use super::*;

/// A service key: 32 bytes of `fill`, in hex.
fn service_key(fill: u8) -> FileKey {
    FileKey::parse(&format!("{fill:02x}").repeat(KEY_BYTES)).unwrap()
}

fn keys(fill: u8) -> FileKeys {
    FileKeys {
        current: service_key(fill),
        previous: Vec::new(),
    }
}

/// The name every test file is sealed under, unless a test says otherwise.
const FILE: &[u8] = b"0193a6f2-attachment";

/// A file of `len` bytes that is nothing like noise: a letter, over and over.
fn letter(len: usize) -> Vec<u8> {
    b"Jag vet var du bor. "
        .iter()
        .copied()
        .cycle()
        .take(len)
        .collect()
}

fn sealed(keys: &FileKeys, file: &[u8]) -> (WrappedKey, Vec<u8>) {
    let mut out = Vec::new();
    let key = keys.seal(FILE, &mut Cursor::new(file), &mut out).unwrap();
    (key, out)
}

fn opened(keys: &FileKeys, key: &WrappedKey, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
    let mut out = Vec::new();
    keys.open(FILE, key, &mut Cursor::new(sealed), &mut out)?;
    Ok(out)
}

#[test]
fn a_file_opens_as_it_was_at_every_size_around_a_segment() {
    let keys = keys(0x5a);
    for len in [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 17] {
        let file = letter(len);
        let (key, sealed) = sealed(&keys, &file);
        let segments = len.div_ceil(SEGMENT).max(1);
        assert_eq!(
            sealed.len(),
            1 + STREAM_NONCE + len + segments * TAG,
            "{len}"
        );
        assert_eq!(opened(&keys, &key, &sealed).unwrap(), file, "{len}");
    }
}

#[test]
fn a_sealed_file_reads_as_noise_and_no_two_are_alike() {
    let keys = keys(0x5a);
    let file = letter(10_000);
    let (_, first) = sealed(&keys, &file);
    let (_, second) = sealed(&keys, &file);
    assert_ne!(first, second, "a key and a nonce of its own each time");
    assert!(
        !first.windows(8).any(|w| file.windows(8).any(|f| f == w)),
        "no text survives"
    );
    // Every byte value about as common as any other: a letter's bytes are not.
    let mut counts = [0usize; 256];
    first
        .iter()
        .for_each(|byte| counts[usize::from(*byte)] += 1);
    assert!(
        counts.iter().all(|&count| count < 100),
        "{:?}",
        counts.iter().max()
    );
}

#[test]
fn a_file_changed_cut_or_reordered_does_not_open() {
    let keys = keys(0x5a);
    let file = letter(2 * SEGMENT + 100);
    let (key, sealed) = sealed(&keys, &file);
    let mut flipped = sealed.clone();
    flipped[SEGMENT / 2] ^= 1;
    let without_last = &sealed[..sealed.len() - (100 + TAG)];
    let at = 1 + STREAM_NONCE;
    let segment = SEGMENT + TAG;
    let mut swapped = sealed[..at].to_vec();
    swapped.extend_from_slice(&sealed[at + segment..at + 2 * segment]);
    swapped.extend_from_slice(&sealed[at..at + segment]);
    swapped.extend_from_slice(&sealed[at + 2 * segment..]);
    let mut longer = sealed.clone();
    longer.extend_from_slice(&sealed[at..at + segment]);
    for (what, changed) in [
        ("a bit flipped", &flipped[..]),
        ("the last segment dropped", without_last),
        ("two segments swapped", &swapped[..]),
        ("a segment added", &longer[..]),
        ("the header alone", &sealed[..at]),
        ("nothing", &[][..]),
    ] {
        assert!(
            matches!(opened(&keys, &key, changed), Err(SealError::Tampered)),
            "{what}"
        );
    }
}

#[test]
fn a_file_key_opens_its_own_file_only_and_only_under_its_service_key() {
    let keys = keys(0x5a);
    let (first_key, first) = sealed(&keys, &letter(500));
    let (second_key, _) = sealed(&keys, &letter(500));
    assert!(matches!(
        opened(&keys, &second_key, &first),
        Err(SealError::Tampered)
    ));
    let mut changed = first_key.clone();
    *changed.wrapped.last_mut().unwrap() ^= 1;
    assert!(matches!(
        opened(&keys, &changed, &first),
        Err(SealError::Tampered)
    ));
    let other = self::keys(0xa5);
    assert!(matches!(
        opened(&other, &first_key, &first),
        Err(SealError::UnknownKey(id)) if id == keys.current.id()
    ));
}

#[test]
fn rotating_the_service_key_rewraps_file_keys_and_leaves_files_alone() {
    let old = keys(0x11);
    let (key, sealed) = sealed(&old, &letter(1_000));
    let rotated = FileKeys {
        current: service_key(0x22),
        previous: vec![old.current.clone()],
    };
    assert_eq!(
        opened(&rotated, &key, &sealed).unwrap(),
        letter(1_000),
        "the old key still opens"
    );
    let rewrapped = rotated.rewrap(FILE, &key).unwrap();
    assert_eq!(rewrapped.key_id, rotated.current.id());
    let retired = FileKeys {
        current: rotated.current.clone(),
        previous: Vec::new(),
    };
    assert_eq!(
        opened(&retired, &rewrapped, &sealed).unwrap(),
        letter(1_000)
    );
    assert!(matches!(
        opened(&retired, &key, &sealed),
        Err(SealError::UnknownKey(_))
    ));
}

#[test]
fn a_sealed_file_opens_only_under_its_own_name() {
    let keys = keys(0x5a);
    let (key, sealed) = sealed(&keys, &letter(500));
    let mut out = Vec::new();
    let other = keys.open(
        b"another-attachment",
        &key,
        &mut Cursor::new(&sealed),
        &mut out,
    );
    assert!(
        matches!(other, Err(SealError::Tampered)),
        "a row swapped for another's"
    );
}

#[test]
fn a_key_is_32_random_bytes_in_hex_and_its_id_reveals_nothing_of_it() {
    let hex = "0123456789abcdef".repeat(4);
    for refused in [
        "a passphrase of more than thirty-two characters, but a passphrase".to_owned(),
        hex[..62].to_owned(),
        format!("{hex}00"),
        format!("{}zz", &hex[..62]),
    ] {
        assert_eq!(FileKey::parse(&refused).unwrap_err(), WeakKey, "{refused}");
    }
    let key = FileKey::parse(&format!(" {hex}\n")).unwrap();
    assert_eq!(key.id().len(), 16);
    assert!(!key.id().contains("0123"));
    assert!(
        !format!("{key:?}").contains("cipher"),
        "no key material in logs"
    );
}
