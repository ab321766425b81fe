use std::io::Cursor;

use super::*;

/// A JPEG segment: marker, length, payload.
fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
    let mut bytes = vec![0xFF, marker];
    bytes.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
    bytes.extend_from_slice(payload);
    bytes
}

/// EXIF as a phone writes it, little-endian: the orientation, the camera's owner, and a
/// pointer to GPS coordinates (latitude 59° 19′ 46″ N) in a directory of their own.
fn phone_exif(orientation: u16) -> Vec<u8> {
    let mut tiff = b"II\x2A\0\x08\0\0\0".to_vec();
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend_from_slice(&kind.to_le_bytes());
        e.extend_from_slice(&count.to_le_bytes());
        e.extend_from_slice(&value.to_le_bytes());
        e
    };
    // IFD0 at 8: three entries, then the next-IFD offset; the GPS IFD right after.
    let gps_at = 8 + 2 + 3 * 12 + 4;
    tiff.extend_from_slice(&3u16.to_le_bytes());
    tiff.extend(entry(0x0112, 3, 1, u32::from(orientation)));
    tiff.extend(entry(0x013B, 2, 4, u32::from_le_bytes(*b"Ann\0"))); // Artist
    tiff.extend(entry(0x8825, 4, 1, gps_at)); // GPS IFD
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"))); // GPSLatitudeRef
    tiff.extend(entry(0x0002, 5, 3, 0)); // GPSLatitude
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"59/1 19/1 46/1 GPS-POSITION");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend(tiff);
    exif
}

const SCAN: &[u8] = b"\x12\x34\xFF\x00\x56\x78 entropy-coded data \xFF\xD0 restart";

/// A photo with everything a phone puts in one, and the image itself.
fn phone_photo(orientation: u16) -> Vec<u8> {
    let mut jpeg = vec![0xFF, SOI];
    jpeg.extend(segment(APP0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    jpeg.extend(segment(APP1, &phone_exif(orientation)));
    jpeg.extend(segment(
        APP1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>Reporter's home</x:xmpmeta>",
    ));
    jpeg.extend(segment(APP2, b"ICC_PROFILE\0\x01\x01colour profile"));
    jpeg.extend(segment(0xED, b"Photoshop 3.0\0IPTC caption: home address"));
    jpeg.extend(segment(0xE9, b"maker notes with serial number"));
    jpeg.extend(segment(COM, b"taken outside Ann's house"));
    jpeg.extend(segment(APP14, b"Adobe\0\x64\0\0\0\0\x01"));
    jpeg.extend(segment(0xDB, b"\x00quantisation table"));
    jpeg.extend(segment(0xC0, b"\x08\x00\x10\x00\x10\x03frame"));
    jpeg.extend(segment(SOS, b"\x03scan header"));
    jpeg.extend_from_slice(SCAN);
    jpeg.extend_from_slice(&[0xFF, EOI]);
    jpeg
}

fn stripped(kind: FileKind, file: &[u8]) -> Result<Vec<u8>, StripError> {
    let mut output = Cursor::new(Vec::new());
    strip_metadata(kind, &mut Cursor::new(file), &mut output)?;
    Ok(output.into_inner())
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn a_phone_photo_keeps_its_image_and_orientation_and_loses_where_it_was_taken() {
    let photo = phone_photo(6);
    let kept = stripped(FileKind::Jpeg, &photo).unwrap();
    for private in [
        &b"GPS-POSITION"[..],
        b"\x25\x88", // the GPS directory's tag
        b"Ann",
        b"xmpmeta",
        b"IPTC",
        b"serial number",
        b"outside",
    ] {
        assert!(
            !contains(&kept, private),
            "{:?} left in",
            String::from_utf8_lossy(private)
        );
    }
    assert!(
        kept.starts_with(&[0xFF, SOI, 0xFF, APP0]),
        "JFIF stays first"
    );
    assert!(contains(&kept, b"ICC_PROFILE\0") && contains(&kept, b"Adobe\0"));
    assert!(
        kept.ends_with(&photo[photo.len() - SCAN.len() - 2..]),
        "the image data as it came"
    );
    // One EXIF block, holding the orientation alone.
    let exif_at = kept.windows(6).position(|w| w == b"Exif\0\0").unwrap();
    assert_eq!(exif_orientation(&kept[exif_at + 6..]), Some(6));
    assert_eq!(kept.windows(6).filter(|w| *w == b"Exif\0\0").count(), 1);
    assert_eq!(&kept[exif_at - 4..exif_at - 2], &[0xFF, APP1]);
}

#[test]
fn an_upright_photo_keeps_no_exif_at_all() {
    let kept = stripped(FileKind::Jpeg, &phone_photo(1)).unwrap();
    assert!(!contains(&kept, b"Exif"));
}

#[test]
fn the_orientation_is_read_in_either_byte_order() {
    assert_eq!(exif_orientation(&phone_exif(8)[6..]), Some(8));
    assert_eq!(exif_orientation(&minimal_exif(3)[6..]), Some(3));
    assert_eq!(
        exif_orientation(&phone_exif(9)[6..]),
        None,
        "not an orientation"
    );
    assert_eq!(
        exif_orientation(b"II\x2A\0\xFF\xFF\0\0"),
        None,
        "a directory outside"
    );
}

#[test]
fn a_broken_or_cut_photo_is_refused_not_passed_on() {
    let photo = phone_photo(6);
    assert!(matches!(
        stripped(FileKind::Jpeg, &photo[..40]),
        Err(StripError::Truncated)
    ));
    assert!(matches!(
        stripped(FileKind::Jpeg, b"\xFF\xD8garbage"),
        Err(StripError::Malformed("JPEG"))
    ));
    assert!(matches!(
        stripped(FileKind::Jpeg, b"GIF89a"),
        Err(StripError::Malformed("JPEG"))
    ));
}

/// A PNG chunk with its CRC (any value: the filter copies CRCs, it does not check them).
fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut bytes = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
    bytes.extend_from_slice(kind);
    bytes.extend_from_slice(data);
    bytes.extend_from_slice(b"CRC!");
    bytes
}

#[test]
fn a_screenshot_loses_its_text_and_times_and_keeps_every_image_chunk() {
    let image = [
        chunk(b"IHDR", b"\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0"),
        chunk(b"iCCP", b"sRGB\0\0profile"),
        chunk(b"IDAT", b"pixels, compressed"),
        chunk(b"IEND", b""),
    ];
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend_from_slice(&image[0]);
    png.extend(chunk(b"tEXt", b"Author\0Ann Andersson"));
    png.extend(chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<GPS/>"));
    png.extend(chunk(b"zTXt", b"Comment\0\0compressed"));
    png.extend(chunk(b"eXIf", &phone_exif(6)[6..]));
    png.extend(chunk(b"tIME", b"\x07\xEA\x0C\x07\x15\x0E\x00"));
    png.extend_from_slice(&image[1]);
    png.extend_from_slice(&image[2]);
    png.extend_from_slice(&image[3]);
    let kept = stripped(FileKind::Png, &png).unwrap();
    let mut expected = PNG_SIGNATURE.to_vec();
    expected.extend(image.concat());
    assert_eq!(kept, expected);
    assert!(matches!(
        stripped(FileKind::Png, &png[..png.len() - 6]),
        Err(StripError::Truncated)
    ));
}

/// A RIFF chunk, padded to an even length.
fn riff_chunk(fourcc: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut bytes = fourcc.to_vec();
    bytes.extend_from_slice(&u32::try_from(data.len()).unwrap().to_le_bytes());
    bytes.extend_from_slice(data);
    if data.len() % 2 == 1 {
        bytes.push(0);
    }
    bytes
}

fn webp_file(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body = chunks.concat();
    let mut file = b"RIFF".to_vec();
    file.extend_from_slice(&u32::try_from(body.len() + 4).unwrap().to_le_bytes());
    file.extend_from_slice(b"WEBP");
    file.extend(body);
    file
}

#[test]
fn a_webp_loses_its_exif_and_xmp_and_says_so_in_its_header() {
    let flags = VP8X_EXIF | VP8X_XMP | 0x20; // and an ICC profile
    let vp8x = riff_chunk(b"VP8X", &[flags, 0, 0, 0, 15, 0, 0, 15, 0, 0]);
    let iccp = riff_chunk(b"ICCP", b"profile");
    let image = riff_chunk(b"VP8 ", b"an odd-length frame");
    let exif = riff_chunk(b"EXIF", &phone_exif(6)[6..]);
    let xmp = riff_chunk(b"XMP ", b"<x:xmpmeta>home</x:xmpmeta>");
    let file = webp_file(&[vp8x, iccp.clone(), image.clone(), exif, xmp]);
    let kept = stripped(FileKind::Webp, &file).unwrap();
    let expected = webp_file(&[
        riff_chunk(b"VP8X", &[0x20, 0, 0, 0, 15, 0, 0, 15, 0, 0]),
        iccp,
        image,
    ]);
    assert_eq!(kept, expected);
}

#[test]
fn documents_and_text_are_copied_as_they_are() {
    for (kind, file) in [
        (FileKind::Pdf, &b"%PDF-1.7\n/Author (Ann)"[..]),
        (FileKind::PlainText, b"Han skrev: jag vet var du bor."),
    ] {
        assert_eq!(stripped(kind, file).unwrap(), file);
    }
}

#[test]
fn a_heic_photo_is_refused_until_its_metadata_can_be_removed() {
    let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
    assert!(matches!(
        stripped(FileKind::Heic, heic),
        Err(StripError::Unsupported("HEIC"))
    ));
}

#[test]
fn metadata_anywhere_in_a_jpeg_goes_and_nothing_after_its_end_is_kept() {
    let mut jpeg = vec![0xFF, SOI];
    jpeg.extend(segment(
        APP0,
        b"JFIF\0\x01\x01\0\0\x01\0\x01\x02\x02thumbnail...",
    ));
    jpeg.extend(segment(0xDB, b"\x00quantisation table"));
    jpeg.extend(segment(APP1, &phone_exif(1))); // after the tables
    jpeg.extend(segment(0xC2, b"\x08\x00\x10\x00\x10\x03progressive frame"));
    jpeg.extend(segment(SOS, b"\x03first scan"));
    jpeg.extend_from_slice(b"first\xFF\x00pass");
    jpeg.extend(segment(COM, b"between the scans: outside Ann's house"));
    jpeg.extend(segment(APP2, b"MPF\0second image's index"));
    jpeg.extend(segment(0xC4, b"\x10huffman table"));
    jpeg.extend(segment(SOS, b"\x03second scan"));
    jpeg.extend_from_slice(b"second\xFF\xD3pass");
    jpeg.extend_from_slice(&[0xFF, EOI]);
    jpeg.extend_from_slice(
        b"\xFF\xD8\xFF\xE1 a second image with GPS-POSITION, then ftypmp42 video",
    );
    let kept = stripped(FileKind::Jpeg, &jpeg).unwrap();
    for private in [&b"GPS-POSITION"[..], b"Ann", b"MPF", b"thumbnail", b"video"] {
        assert!(
            !contains(&kept, private),
            "{:?} left in",
            String::from_utf8_lossy(private)
        );
    }
    let mut expected = vec![0xFF, SOI];
    expected.extend(segment(APP0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    expected.extend(segment(0xDB, b"\x00quantisation table"));
    expected.extend(segment(0xC2, b"\x08\x00\x10\x00\x10\x03progressive frame"));
    expected.extend(segment(SOS, b"\x03first scan"));
    expected.extend_from_slice(b"first\xFF\x00pass");
    expected.extend(segment(0xC4, b"\x10huffman table"));
    expected.extend(segment(SOS, b"\x03second scan"));
    expected.extend_from_slice(b"second\xFF\xD3pass");
    expected.extend_from_slice(&[0xFF, EOI]);
    assert_eq!(kept, expected, "every byte of the image, in order");
}

#[test]
fn a_jpeg_cut_inside_its_image_is_refused() {
    let photo = phone_photo(1);
    let cut = &photo[..photo.len() - 6];
    assert!(matches!(
        stripped(FileKind::Jpeg, cut),
        Err(StripError::Truncated)
    ));
}

#[test]
fn chunks_a_png_or_webp_does_not_need_for_its_image_go_whatever_they_are() {
    let mut png = PNG_SIGNATURE.to_vec();
    png.extend(chunk(b"IHDR", b"\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0"));
    png.extend(chunk(
        b"caBX",
        b"content credentials: Ann's phone at 59.33 N",
    ));
    png.extend(chunk(b"prVt", b"an editor's private notes"));
    png.extend(chunk(b"IDAT", b"pixels"));
    png.extend(chunk(b"IEND", b""));
    let kept = stripped(FileKind::Png, &png).unwrap();
    assert!(!contains(&kept, b"Ann") && !contains(&kept, b"private"));
    assert!(contains(&kept, b"pixels"));

    // The last chunk odd-sized without its pad, as some writers leave it.
    let c2pa = riff_chunk(b"C2PA", b"credentials with a place");
    let image = riff_chunk(b"VP8L", b"odd");
    let mut file = webp_file(&[c2pa, image.clone()]);
    file.pop();
    let declared = u32::from_le_bytes(file[4..8].try_into().unwrap()) - 1;
    file[4..8].copy_from_slice(&declared.to_le_bytes());
    assert_eq!(
        stripped(FileKind::Webp, &file).unwrap(),
        webp_file(&[image])
    );
}
