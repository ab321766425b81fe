//! A photo's metadata removed before it is stored: where it was taken (GPS), when and with
//! what, the owner's name, XMP, IPTC and comments. A phone photo of a threatening letter must
//! not tell a case worker, or anyone who copies the file, where the reporter lives.
//!
//! Metadata sits in the image containers' own segments around the image data, so it is left
//! out while the file streams through, without decoding a pixel (a 12-megapixel photo decoded
//! takes ~36 MiB; sixteen at once would not fit the service's memory). The image data is copied
//! as it came: nothing is re-encoded, nothing lost. A JPEG's orientation, which the camera
//! records in its EXIF, is kept as the one entry of a new, minimal EXIF block, so that a photo
//! still shows upright and nothing else of the camera's record is kept.

use std::io::{self, Read, Seek, SeekFrom, Write};

use trygg_domain::attachment::FileKind;

/// Why a photo could not be filtered: it is not the container its first bytes promised.
#[derive(Debug, thiserror::Error)]
pub enum StripError {
    #[error("the file is not a well-formed {0}")]
    Malformed(&'static str),
    #[error("the file ends before its image does")]
    Truncated,
    #[error("{0} photos cannot have their metadata removed yet")]
    Unsupported(&'static str),
    #[error("{0}")]
    Io(io::Error),
}

impl From<io::Error> for StripError {
    fn from(error: io::Error) -> Self {
        match error.kind() {
            io::ErrorKind::UnexpectedEof => StripError::Truncated,
            _ => StripError::Io(error),
        }
    }
}

/// Copies `input`, a photo of `kind`, to `output` without its metadata; documents and text are
/// copied as they are. `output` is a new file (WebP's header is rewritten once its length is known).
pub fn strip_metadata(
    kind: FileKind,
    input: &mut impl Read,
    output: &mut (impl Write + Seek),
) -> Result<(), StripError> {
    match kind {
        FileKind::Jpeg => jpeg(input, output),
        FileKind::Png => png(input, output),
        FileKind::Webp => webp(input, output),
        // HEIC keeps its metadata as items of its `meta` box, not as segments: until those
        // are blanked, a HEIC photo is refused rather than stored with its position.
        FileKind::Heic => Err(StripError::Unsupported("HEIC")),
        FileKind::Pdf | FileKind::PlainText => {
            io::copy(input, output)?;
            Ok(())
        }
    }
}

// --- JPEG ------------------------------------------------------------------------------

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP2: u8 = 0xE2;
const APP14: u8 = 0xEE;
const APP15: u8 = 0xEF;
const COM: u8 = 0xFE;

/// The segments before the image data, kept or not: JFIF (APP0), the colour profile (APP2
/// `ICC_PROFILE`) and Adobe's colour transform (APP14), which decoding needs, are kept; every
/// other application segment (EXIF and XMP in APP1, IPTC in APP13, makers' own) and comments
/// are not. They are gathered first, so that the orientation found in the EXIF can be written
/// back where EXIF belongs, right after JFIF; then the image data streams through.
fn jpeg(input: &mut impl Read, output: &mut impl Write) -> Result<(), StripError> {
    const NOT: StripError = StripError::Malformed("JPEG");
    if read_array::<2>(input)? != [0xFF, SOI] {
        return Err(NOT);
    }
    let mut jfif = None;
    let mut kept = Vec::new();
    let mut orientation = None;
    let marker = loop {
        let marker = next_marker(input)?;
        if marker == SOS || marker == EOI || !(APP0..=APP15).contains(&marker) && marker != COM {
            break marker;
        }
        let payload = read_segment(input)?;
        match marker {
            APP0 if jfif.is_none() && kept.is_empty() => jfif = Some(payload),
            APP1 if payload.starts_with(b"Exif\0\0") => {
                orientation = orientation.or_else(|| exif_orientation(&payload[6..]));
            }
            APP2 if payload.starts_with(b"ICC_PROFILE\0") => kept.push((marker, payload)),
            APP14 if payload.starts_with(b"Adobe") => kept.push((marker, payload)),
            _ => {}
        }
    };
    output.write_all(&[0xFF, SOI])?;
    if let Some(jfif) = jfif {
        write_segment(output, APP0, &jfif)?;
    }
    if let Some(orientation) = orientation.filter(|&o| o != 1) {
        write_segment(output, APP1, &minimal_exif(orientation))?;
    }
    for (marker, payload) in &kept {
        write_segment(output, *marker, payload)?;
    }
    // The rest (tables, the frame, the scans) is image data: copied as it is.
    output.write_all(&[0xFF, marker])?;
    io::copy(input, output)?;
    Ok(())
}

/// The next marker, past any fill bytes.
fn next_marker(input: &mut impl Read) -> Result<u8, StripError> {
    if read_array::<1>(input)? != [0xFF] {
        return Err(StripError::Malformed("JPEG"));
    }
    loop {
        match read_array::<1>(input)? {
            [0xFF] => continue,
            [0x00] => return Err(StripError::Malformed("JPEG")),
            [marker] => return Ok(marker),
        }
    }
}

/// A segment's payload, after its two-byte length (which counts itself).
fn read_segment(input: &mut impl Read) -> Result<Vec<u8>, StripError> {
    let length = u16::from_be_bytes(read_array(input)?);
    let length = usize::from(length)
        .checked_sub(2)
        .ok_or(StripError::Malformed("JPEG"))?;
    let mut payload = vec![0; length];
    input.read_exact(&mut payload)?;
    Ok(payload)
}

fn write_segment(output: &mut impl Write, marker: u8, payload: &[u8]) -> io::Result<()> {
    let length = u16::try_from(payload.len() + 2)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "segment too long"))?;
    output.write_all(&[0xFF, marker])?;
    output.write_all(&length.to_be_bytes())?;
    output.write_all(payload)
}

/// EXIF's orientation tag.
const ORIENTATION: u16 = 0x0112;

/// The orientation (1 to 8) in the first image directory of an EXIF block's TIFF structure.
fn exif_orientation(tiff: &[u8]) -> Option<u16> {
    let big_endian = match tiff.get(..4)? {
        b"MM\0\x2A" => true,
        b"II\x2A\0" => false,
        _ => return None,
    };
    let u16_at = |at: usize| {
        let bytes = [*tiff.get(at)?, *tiff.get(at + 1)?];
        Some(if big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        })
    };
    let u32_at = |at: usize| {
        let bytes: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    };
    let directory = usize::try_from(u32_at(4)?).ok()?;
    let entries = u16_at(directory)?;
    (0..usize::from(entries))
        .map(|n| directory + 2 + 12 * n)
        .find(|&entry| u16_at(entry) == Some(ORIENTATION))
        .and_then(|entry| u16_at(entry + 8))
        .filter(|orientation| (1..=8).contains(orientation))
}

/// An EXIF block holding only `orientation`: one directory with one entry.
fn minimal_exif(orientation: u16) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2A\0\0\0\x08".to_vec();
    exif.extend_from_slice(&1u16.to_be_bytes()); // one entry
    exif.extend_from_slice(&ORIENTATION.to_be_bytes());
    exif.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    exif.extend_from_slice(&1u32.to_be_bytes()); // one value
    exif.extend_from_slice(&orientation.to_be_bytes());
    exif.extend_from_slice(&[0, 0]); // the value field's padding
    exif.extend_from_slice(&0u32.to_be_bytes()); // no next directory
    exif
}

// --- PNG -------------------------------------------------------------------------------

const PNG_SIGNATURE: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

/// PNG's chunks that carry metadata: EXIF, text of any kind (author, comments, software,
/// location as text), and the time of the last change.
const PNG_METADATA: [&[u8; 4]; 5] = [b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"];

fn png(input: &mut impl Read, output: &mut impl Write) -> Result<(), StripError> {
    if &read_array::<8>(input)? != PNG_SIGNATURE {
        return Err(StripError::Malformed("PNG"));
    }
    output.write_all(PNG_SIGNATURE)?;
    loop {
        let header: [u8; 8] = read_array(input)?;
        let length = u64::from(u32::from_be_bytes([
            header[0], header[1], header[2], header[3],
        ]));
        let kind = &header[4..8];
        // The chunk's data and its CRC.
        let mut chunk = input.take(length + 4);
        if PNG_METADATA.iter().any(|metadata| &metadata[..] == kind) {
            io::copy(&mut chunk, &mut io::sink())?;
        } else {
            output.write_all(&header)?;
            io::copy(&mut chunk, output)?;
        }
        if chunk.limit() > 0 {
            return Err(StripError::Truncated);
        }
        if kind == b"IEND" {
            return Ok(());
        }
    }
}

// --- WebP ------------------------------------------------------------------------------

/// `VP8X`'s flags for an EXIF and an XMP chunk.
const VP8X_EXIF: u8 = 0x08;
const VP8X_XMP: u8 = 0x04;

/// WebP is a RIFF file of chunks; `EXIF` and `XMP ` go, and the extended header (`VP8X`) stops
/// announcing them. The RIFF length is written last, once the file's length is known.
fn webp(input: &mut impl Read, output: &mut (impl Write + Seek)) -> Result<(), StripError> {
    const NOT: StripError = StripError::Malformed("WebP");
    let header: [u8; 12] = read_array(input)?;
    if &header[..4] != b"RIFF" || &header[8..12] != b"WEBP" {
        return Err(NOT);
    }
    let declared = u64::from(u32::from_le_bytes([
        header[4], header[5], header[6], header[7],
    ]));
    let start = output.stream_position()?;
    output.write_all(&header)?;
    // The chunks fill what the RIFF header declares, after its "WEBP".
    let mut chunks = input.take(declared.checked_sub(4).ok_or(NOT)?);
    let mut written = 4u64;
    while chunks.limit() > 0 {
        let chunk: [u8; 8] = read_array(&mut chunks)?;
        let size = u64::from(u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]));
        let padded = size + size % 2;
        let fourcc = &chunk[..4];
        let mut data = (&mut chunks).take(padded);
        if fourcc == b"EXIF" || fourcc == b"XMP " {
            io::copy(&mut data, &mut io::sink())?;
        } else if fourcc == b"VP8X" {
            let mut extended = Vec::new();
            data.read_to_end(&mut extended)?;
            let flags = extended.first_mut().ok_or(NOT)?;
            *flags &= !(VP8X_EXIF | VP8X_XMP);
            output.write_all(&chunk)?;
            output.write_all(&extended)?;
            written += 8 + padded;
        } else {
            output.write_all(&chunk)?;
            io::copy(&mut data, output)?;
            written += 8 + padded;
        }
        if data.limit() > 0 {
            return Err(StripError::Truncated);
        }
    }
    let end = output.stream_position()?;
    output.seek(SeekFrom::Start(start + 4))?;
    let length = u32::try_from(written).map_err(|_| NOT)?;
    output.write_all(&length.to_le_bytes())?;
    output.seek(SeekFrom::Start(end))?;
    Ok(())
}

fn read_array<const N: usize>(input: &mut impl Read) -> Result<[u8; N], StripError> {
    let mut bytes = [0; N];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests;
