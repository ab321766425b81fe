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

/// Every segment of the file is judged, wherever it stands (metadata may follow the tables,
/// sit between a progressive photo's scans, or trail the image): JFIF (APP0, without its
/// thumbnail), the colour profile (APP2 `ICC_PROFILE`) and Adobe's colour transform (APP14),
/// which decoding needs, are kept, and so is every segment of the image itself; every other
/// application segment (EXIF and XMP in APP1, MPF's second images in APP2, IPTC in APP13,
/// makers' own) and comments are not. Nothing after the end of the image is kept: phones append
/// second images and motion photos there, with their own positions. The segments before the
/// image are gathered first, so that the orientation found in the EXIF is written back where
/// EXIF belongs, right after JFIF.
fn jpeg(input: &mut impl Read, output: &mut impl Write) -> Result<(), StripError> {
    let mut input = io::BufReader::new(input);
    let mut output = io::BufWriter::new(output);
    if read_array::<2>(&mut input)? != [0xFF, SOI] {
        return Err(StripError::Malformed("JPEG"));
    }
    let mut jfif = None;
    let mut kept = Vec::new();
    let mut orientation = None;
    let mut marker = loop {
        let marker = next_marker(&mut input)?;
        if !is_metadata_marker(marker) {
            break marker;
        }
        let payload = read_segment(&mut input)?;
        match marker {
            APP0 if jfif.is_none() && kept.is_empty() => jfif = jfif_without_thumbnail(payload),
            APP1 if payload.starts_with(b"Exif\0\0") => {
                orientation = orientation.or_else(|| exif_orientation(&payload[6..]));
            }
            _ => kept.extend(kept_segment(marker, payload)),
        }
    };
    output.write_all(&[0xFF, SOI])?;
    if let Some(jfif) = jfif {
        write_segment(&mut output, APP0, &jfif)?;
    }
    if let Some(orientation) = orientation.filter(|&o| o != 1) {
        write_segment(&mut output, APP1, &minimal_exif(orientation))?;
    }
    for (marker, payload) in &kept {
        write_segment(&mut output, *marker, payload)?;
    }
    loop {
        match marker {
            EOI => {
                output.write_all(&[0xFF, EOI])?;
                output.flush()?;
                return Ok(());
            }
            // Markers without a segment: TEM, and restarts outside a scan.
            0x01 | 0xD0..=0xD7 => output.write_all(&[0xFF, marker])?,
            marker if is_metadata_marker(marker) => {
                let payload = read_segment(&mut input)?;
                if let Some((marker, payload)) = kept_segment(marker, payload) {
                    write_segment(&mut output, marker, &payload)?;
                }
            }
            SOS => {
                let header = read_segment(&mut input)?;
                write_segment(&mut output, SOS, &header)?;
                marker = copy_scan(&mut input, &mut output)?;
                continue;
            }
            // Tables, the frame, restart intervals: the image's own.
            marker => {
                let payload = read_segment(&mut input)?;
                write_segment(&mut output, marker, &payload)?;
            }
        }
        marker = next_marker(&mut input)?;
    }
}

/// Application segments and comments: where metadata lives.
fn is_metadata_marker(marker: u8) -> bool {
    (APP0..=APP15).contains(&marker) || marker == COM
}

/// The segments of these kinds that decoding needs; `None` for the rest.
fn kept_segment(marker: u8, payload: Vec<u8>) -> Option<(u8, Vec<u8>)> {
    let needed = match marker {
        APP2 => payload.starts_with(b"ICC_PROFILE\0"),
        APP14 => payload.starts_with(b"Adobe"),
        _ => false,
    };
    needed.then_some((marker, payload))
}

/// JFIF's header as it is without a thumbnail (a second, unfiltered picture); other APP0
/// segments (JFXX, makers') are not kept.
fn jfif_without_thumbnail(mut payload: Vec<u8>) -> Option<Vec<u8>> {
    const HEADER: usize = 14;
    if !payload.starts_with(b"JFIF\0") || payload.len() < HEADER {
        return None;
    }
    payload.truncate(HEADER);
    payload[12] = 0; // thumbnail width
    payload[13] = 0; // and height
    Some(payload)
}

/// Copies a scan's entropy-coded data, up to the marker that ends it, which it answers with.
/// Inside the data, `FF 00` is a stuffed byte and `FF D0` to `FF D7` are restarts.
fn copy_scan(input: &mut impl io::BufRead, output: &mut impl Write) -> Result<u8, StripError> {
    loop {
        let buffer = input.fill_buf()?;
        if buffer.is_empty() {
            return Err(StripError::Truncated);
        }
        let Some(at) = buffer.iter().position(|&byte| byte == 0xFF) else {
            output.write_all(buffer)?;
            let read = buffer.len();
            input.consume(read);
            continue;
        };
        output.write_all(&buffer[..at])?;
        input.consume(at + 1);
        let mut next = read_array::<1>(input)?[0];
        while next == 0xFF {
            next = read_array::<1>(input)?[0];
        }
        match next {
            0x00 | 0xD0..=0xD7 => output.write_all(&[0xFF, next])?,
            marker => return Ok(marker),
        }
    }
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
        let bytes = [*tiff.get(at)?, *tiff.get(at.checked_add(1)?)?];
        Some(if big_endian {
            u16::from_be_bytes(bytes)
        } else {
            u16::from_le_bytes(bytes)
        })
    };
    let u32_at = |at: usize| {
        let bytes: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(bytes)
        } else {
            u32::from_le_bytes(bytes)
        })
    };
    let directory = usize::try_from(u32_at(4)?).ok()?;
    let entries = u16_at(directory)?;
    (0..usize::from(entries))
        .filter_map(|n| directory.checked_add(2 + 12 * n))
        .find(|&entry| u16_at(entry) == Some(ORIENTATION))
        .and_then(|entry| u16_at(entry.checked_add(8)?))
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

/// PNG's chunks that make the image: only these are kept. Anything else (EXIF, text of any
/// kind, times, content credentials, an editor's private chunks) may describe the photo or who
/// took it, and goes.
const PNG_IMAGE: [&[u8; 4]; 19] = [
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB",
    b"cICP", b"mDCV", b"cLLI", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL",
];

/// Animated PNG's frame data, kept with the rest of the image.
const PNG_FRAME_DATA: &[u8; 4] = b"fdAT";

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
        let image = kind == PNG_FRAME_DATA || PNG_IMAGE.iter().any(|image| &image[..] == kind);
        if !image {
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
/// `VP8X`'s length: flags, reserved bytes, the canvas's width and height.
const VP8X_SIZE: u64 = 10;

/// WebP's chunks that make the image: only these are kept (EXIF, XMP, content credentials and
/// anything unknown go).
const WEBP_IMAGE: [&[u8; 4]; 7] = [
    b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
];

/// WebP is a RIFF file of chunks, each padded to an even length; the extended header (`VP8X`)
/// stops announcing what is dropped. The RIFF length is written last, once the file's length
/// is known.
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
        let fourcc = &chunk[..4];
        let mut data = (&mut chunks).take(size);
        if !WEBP_IMAGE.iter().any(|image| &image[..] == fourcc) {
            io::copy(&mut data, &mut io::sink())?;
        } else if fourcc == b"VP8X" {
            if size != VP8X_SIZE {
                return Err(NOT);
            }
            let mut extended = [0u8; VP8X_SIZE as usize];
            data.read_exact(&mut extended)?;
            extended[0] &= !(VP8X_EXIF | VP8X_XMP);
            output.write_all(&chunk)?;
            output.write_all(&extended)?;
            written += 8 + size;
        } else {
            output.write_all(&chunk)?;
            io::copy(&mut data, output)?;
            if size % 2 == 1 {
                output.write_all(&[0])?;
            }
            written += 8 + size + size % 2;
        }
        if data.limit() > 0 {
            return Err(StripError::Truncated);
        }
        // The pad byte, which some writers leave off the last chunk.
        if size % 2 == 1 && chunks.limit() > 0 {
            read_array::<1>(&mut chunks)?;
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
