//! Evidence attached to a case: which files are taken, how large and how many, and what a file
//! is called when shown. A file is taken for what its first bytes say it is, never for its name
//! or the type its sender declares: a script named `photo.jpg` is refused, a photo named
//! `threat` is taken. Pure: storing, scanning and stripping metadata happen elsewhere.

use std::fmt;

use crate::text;

/// How many of a file's first bytes [`FileKind::sniff`] needs.
pub const SNIFF_BYTES: usize = 512;

/// What a file is, as its content says: the kinds a report's evidence comes as (a photo, a
/// screenshot, a scanned letter, a saved message).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Jpeg,
    Png,
    Webp,
    Heic,
    Pdf,
    PlainText,
}

impl FileKind {
    /// The kind `head` (a file's first [`SNIFF_BYTES`] bytes, or all of a shorter file) is,
    /// if it is one the service takes.
    pub fn sniff(head: &[u8]) -> Option<FileKind> {
        let head = &head[..head.len().min(SNIFF_BYTES)];
        if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileKind::Jpeg)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
            Some(FileKind::Webp)
        } else if is_heic(head) {
            Some(FileKind::Heic)
        } else if head.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else if is_plain_text(head) {
            Some(FileKind::PlainText)
        } else {
            None
        }
    }

    /// The media type a file of this kind is served as.
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Heic => "image/heic",
            FileKind::Pdf => "application/pdf",
            FileKind::PlainText => "text/plain; charset=utf-8",
        }
    }

    /// The extensions a file of this kind goes by, the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Jpeg => &["jpg", "jpeg"],
            FileKind::Png => &["png"],
            FileKind::Webp => &["webp"],
            FileKind::Heic => &["heic", "heif"],
            FileKind::Pdf => &["pdf"],
            FileKind::PlainText => &["txt"],
        }
    }

    /// Whether files of this kind are photos, which carry metadata (the place a photo was
    /// taken among it) to remove before they are stored.
    pub fn is_photo(self) -> bool {
        matches!(
            self,
            FileKind::Jpeg | FileKind::Png | FileKind::Webp | FileKind::Heic
        )
    }
}

/// HEIF's brands for HEVC-coded images and sequences, as an iPhone writes its photos.
const HEIC_BRANDS: [&[u8; 4]; 8] = [
    b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs",
];

/// An ISO base media file whose `ftyp` box names a HEIC brand: as the major brand, or among
/// the compatible brands of a generic HEIF file (`mif1`, `msf1`), which AVIF files are too.
fn is_heic(head: &[u8]) -> bool {
    if head.len() < 12 || &head[4..8] != b"ftyp" {
        return false;
    }
    let major = &head[8..12];
    if HEIC_BRANDS.iter().any(|brand| &brand[..] == major) {
        return true;
    }
    if major != b"mif1" && major != b"msf1" {
        return false;
    }
    let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as usize;
    // After the major brand, its version (4 bytes), then the compatible brands.
    head.get(16..size.min(head.len()))
        .unwrap_or_default()
        .chunks_exact(4)
        .any(|brand| HEIC_BRANDS.iter().any(|heic| &heic[..] == brand))
}

/// UTF-8 text (a byte-order mark allowed) without control characters other than tabs, line
/// breaks and form feeds, and not markup a browser would run (a page, SVG, XML). A character
/// cut in two where the sniffing window ends is not held against it; at the end of a whole
/// file it is.
fn is_plain_text(head: &[u8]) -> bool {
    let text = match std::str::from_utf8(head) {
        Ok(text) => text,
        Err(error)
            if head.len() == SNIFF_BYTES
                && error.error_len().is_none()
                && head.len() - error.valid_up_to() < 4 =>
        {
            std::str::from_utf8(&head[..error.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    !text.is_empty()
        && !is_markup(text)
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0c'))
}

/// What browsers take for a page or a drawing with scripts, at the start of a text.
const MARKUP: [&str; 8] = [
    "<!doctype",
    "<html",
    "<head",
    "<body",
    "<script",
    "<svg",
    "<?xml",
    "<iframe",
];

fn is_markup(text: &str) -> bool {
    let start = text.trim_start();
    MARKUP.iter().any(|markup| {
        start
            .get(..markup.len())
            .is_some_and(|prefix| prefix.eq_ignore_ascii_case(markup))
    })
}

/// How much evidence a case takes: per file, and in all. Configurable; the defaults fit a
/// few phone photos and a scanned letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// The largest file, in bytes.
    pub file_bytes: u64,
    /// The most files a case holds.
    pub case_files: usize,
    /// The most bytes a case's files hold together.
    pub case_bytes: u64,
}

const MIB: u64 = 1024 * 1024;

impl Default for AttachmentLimits {
    /// 10 MiB a file, 10 files and 50 MiB a case.
    fn default() -> AttachmentLimits {
        AttachmentLimits {
            file_bytes: 10 * MIB,
            case_files: 10,
            case_bytes: 50 * MIB,
        }
    }
}

/// The files a case holds already.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaseFiles {
    pub count: usize,
    pub bytes: u64,
}

/// Why a file was refused: the rule it broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachmentRule {
    /// The file holds nothing.
    Empty,
    /// Larger than a file may be.
    FileTooLarge { limit: u64 },
    /// Not one of the kinds taken, whatever its name says.
    KindNotTaken,
    /// The case holds as many files as it may.
    TooManyFiles { limit: usize },
    /// The case's files would together be larger than they may.
    CaseTooLarge { limit: u64 },
}

impl fmt::Display for AttachmentRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttachmentRule::Empty => f.write_str("is empty"),
            AttachmentRule::FileTooLarge { limit } => {
                write!(f, "is larger than {} a file", Bytes(*limit))
            }
            AttachmentRule::KindNotTaken => f.write_str(
                "is not a photo (JPEG, PNG, WebP, HEIC), a PDF or plain text, whatever its name",
            ),
            AttachmentRule::TooManyFiles { limit } => {
                write!(f, "would be more than {limit} files on the case")
            }
            AttachmentRule::CaseTooLarge { limit } => {
                write!(
                    f,
                    "would take the case's files past {} together",
                    Bytes(*limit)
                )
            }
        }
    }
}

/// A file refused, named, and the rule it broke: what the uploader is told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the file “{file}” {rule}")]
pub struct Refused {
    pub file: FileName,
    pub rule: AttachmentRule,
}

impl AttachmentLimits {
    /// The most bytes the next file of `case` may hold: a streamed upload stops reading past
    /// it, so that no file is ever held whole before it is judged.
    pub fn room_for_next(&self, case: CaseFiles) -> u64 {
        self.file_bytes
            .min(self.case_bytes.saturating_sub(case.bytes))
    }

    /// Takes the file `name`, `size` bytes long and starting with `head`, onto `case`, as
    /// the kind its content says; or says which rule it breaks.
    pub fn admit(
        &self,
        name: &FileName,
        head: &[u8],
        size: u64,
        case: CaseFiles,
    ) -> Result<FileKind, Refused> {
        let refused = |rule| {
            Err(Refused {
                file: name.clone(),
                rule,
            })
        };
        if size == 0 {
            return refused(AttachmentRule::Empty);
        }
        if size > self.file_bytes {
            return refused(AttachmentRule::FileTooLarge {
                limit: self.file_bytes,
            });
        }
        let Some(kind) = FileKind::sniff(head) else {
            return refused(AttachmentRule::KindNotTaken);
        };
        if case.count >= self.case_files {
            return refused(AttachmentRule::TooManyFiles {
                limit: self.case_files,
            });
        }
        if case.bytes.saturating_add(size) > self.case_bytes {
            return refused(AttachmentRule::CaseTooLarge {
                limit: self.case_bytes,
            });
        }
        Ok(kind)
    }
}

/// A size in bytes as people read it: whole MiB where it is whole, else KiB or bytes.
struct Bytes(u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            bytes if bytes >= MIB && bytes % MIB == 0 => write!(f, "{} MiB", bytes / MIB),
            bytes if bytes >= 1024 => write!(f, "{} KiB", bytes.div_ceil(1024)),
            bytes => write!(f, "{bytes} bytes"),
        }
    }
}

/// The longest name a file is shown by, in characters.
pub const MAX_FILE_NAME_CHARS: usize = 120;

/// What a file is called when shown to a case worker: the name it was sent with, without any
/// folder, control characters, bidirectional controls (which can make `gpj.exe` read as
/// `exe.jpg`) or invisible characters, white space collapsed, at most [`MAX_FILE_NAME_CHARS`] characters. A file sent
/// without a usable name is called `fil`. Only ever shown: the service names what it stores
/// itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName(String);

impl FileName {
    pub fn from_upload(sent: &str) -> FileName {
        let base = sent.rsplit(['/', '\\']).next().unwrap_or_default();
        let kept: String = base
            .chars()
            .filter(|&c| !c.is_control() && !text::is_bidi_control(c) && !text::is_invisible(c))
            .collect();
        let mut name = kept.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some((cut, _)) = name.char_indices().nth(MAX_FILE_NAME_CHARS) {
            name.truncate(cut);
        }
        if name.trim_matches('.').is_empty() {
            name = "fil".to_owned();
        }
        FileName(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name a file of `kind` is saved under when downloaded: ending in its kind's
    /// extension, whatever the sender called it, so that what is saved opens as what it is
    /// (`bevis.html`, plain text, is saved as `bevis.html.txt`, and never runs as a page).
    pub fn download_name(&self, kind: FileKind) -> String {
        let sent = self.0.rsplit_once('.').map(|(_, extension)| extension);
        if sent.is_some_and(|sent| {
            kind.extensions()
                .iter()
                .any(|e| sent.eq_ignore_ascii_case(e))
        }) {
            self.0.clone()
        } else {
            format!("{}.{}", self.0, kind.extensions()[0])
        }
    }
}

impl fmt::Display for FileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE1\x00\x10Exif\x00\x00";
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR";
    const WEBP: &[u8] = b"RIFF\x24\x00\x00\x00WEBPVP8 ";
    const PDF: &[u8] = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n";

    /// An `ftyp` box with `major` and `compatible` brands.
    fn ftyp(major: &[u8; 4], compatible: &[&[u8; 4]]) -> Vec<u8> {
        let size = 16 + 4 * compatible.len() as u32;
        let mut head = size.to_be_bytes().to_vec();
        head.extend_from_slice(b"ftyp");
        head.extend_from_slice(major);
        head.extend_from_slice(&[0, 0, 0, 0]);
        for brand in compatible {
            head.extend_from_slice(&brand[..]);
        }
        head.extend_from_slice(b"\x00\x00\x00\x08meta");
        head
    }

    #[test]
    fn a_file_is_what_its_first_bytes_say() {
        assert_eq!(FileKind::sniff(JPEG), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(PNG), Some(FileKind::Png));
        assert_eq!(FileKind::sniff(WEBP), Some(FileKind::Webp));
        assert_eq!(FileKind::sniff(PDF), Some(FileKind::Pdf));
        assert_eq!(
            FileKind::sniff("Han skrev: ”Jag vet var du bor.”\r\n".as_bytes()),
            Some(FileKind::PlainText)
        );
        assert_eq!(
            FileKind::sniff(b"\xEF\xBB\xBFmed BOM"),
            Some(FileKind::PlainText)
        );
    }

    #[test]
    fn an_iphone_photo_is_heic_and_an_avif_is_not() {
        let iphone = ftyp(b"heic", &[b"mif1", b"heic"]);
        assert_eq!(FileKind::sniff(&iphone), Some(FileKind::Heic));
        let generic = ftyp(b"mif1", &[b"mif1", b"heic"]);
        assert_eq!(FileKind::sniff(&generic), Some(FileKind::Heic));
        let avif = ftyp(b"avif", &[b"mif1", b"avif"]);
        assert_eq!(FileKind::sniff(&avif), None);
        let generic_avif = ftyp(b"mif1", &[b"mif1", b"avif"]);
        assert_eq!(FileKind::sniff(&generic_avif), None);
        let video = ftyp(b"isom", &[b"isom", b"mp41"]);
        assert_eq!(FileKind::sniff(&video), None);
    }

    #[test]
    fn what_is_not_taken_is_refused_whatever_it_is_called() {
        for head in [
            &b"MZ\x90\x00\x03\x00"[..],         // a Windows program
            b"\x7FELF\x02\x01\x01",             // a Linux one
            b"PK\x03\x04\x14\x00",              // a zip, a Word document
            b"GIF89a\x01\x00",                  // a GIF
            b"caf\xE9 au lait",                 // Latin-1, not UTF-8
            b"text with a \x00 NUL",            // binary
            b"\x1b[31mterminal escapes\x1b[0m", // control characters
            b"\n  <!DOCTYPE html><script>alert(1)</script>",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>",
            b"\xEF\xBB\xBF<?xml version=\"1.0\"?>",
            b"<html><body>",
            b"",
        ] {
            assert_eq!(FileKind::sniff(head), None, "{head:?}");
        }
    }

    #[test]
    fn text_cut_mid_character_at_the_sniffing_window_is_still_text() {
        let mut head = b"a".to_vec();
        head.extend("å".repeat(SNIFF_BYTES).into_bytes());
        head.truncate(SNIFF_BYTES); // "å" is two bytes: the last is cut in two
        assert_eq!(FileKind::sniff(&head), Some(FileKind::PlainText));
        assert_eq!(
            FileKind::sniff(b"ok \xC3"),
            None,
            "a whole file ending mid-character is not text"
        );
        assert_eq!(
            FileKind::sniff(b"ok \xC3 then more"),
            None,
            "a broken one inside"
        );
    }

    #[test]
    fn photos_are_the_image_kinds_and_each_kind_has_its_media_type() {
        let photos: Vec<_> = [
            FileKind::Jpeg,
            FileKind::Png,
            FileKind::Webp,
            FileKind::Heic,
            FileKind::Pdf,
            FileKind::PlainText,
        ]
        .into_iter()
        .filter(|kind| kind.is_photo())
        .map(FileKind::media_type)
        .collect();
        assert_eq!(
            photos,
            ["image/jpeg", "image/png", "image/webp", "image/heic"]
        );
        assert_eq!(
            FileKind::PlainText.media_type(),
            "text/plain; charset=utf-8"
        );
    }

    #[test]
    fn a_file_breaking_a_limit_is_refused_by_name_and_rule() {
        let limits = AttachmentLimits::default();
        let name = FileName::from_upload("hot.png");
        let admit = |size, case| limits.admit(&name, PNG, size, case);
        let rule = |outcome: Result<FileKind, Refused>| outcome.unwrap_err().rule;
        assert_eq!(admit(1, CaseFiles::default()), Ok(FileKind::Png));
        assert_eq!(rule(admit(0, CaseFiles::default())), AttachmentRule::Empty);
        assert_eq!(
            rule(admit(10 * MIB + 1, CaseFiles::default())),
            AttachmentRule::FileTooLarge { limit: 10 * MIB }
        );
        assert_eq!(admit(10 * MIB, CaseFiles::default()), Ok(FileKind::Png));
        let nine = CaseFiles {
            count: 9,
            bytes: 45 * MIB,
        };
        assert_eq!(
            admit(5 * MIB, nine),
            Ok(FileKind::Png),
            "exactly full is allowed"
        );
        assert_eq!(
            rule(admit(5 * MIB + 1, nine)),
            AttachmentRule::CaseTooLarge { limit: 50 * MIB }
        );
        let ten = CaseFiles {
            count: 10,
            bytes: MIB,
        };
        assert_eq!(
            rule(admit(1, ten)),
            AttachmentRule::TooManyFiles { limit: 10 }
        );
        let refused = limits
            .admit(
                &FileName::from_upload("bild.jpg"),
                b"MZ\x90\x00",
                4,
                CaseFiles::default(),
            )
            .unwrap_err();
        assert_eq!(
            refused.to_string(),
            "the file “bild.jpg” is not a photo (JPEG, PNG, WebP, HEIC), a PDF or plain text, \
             whatever its name"
        );
        assert_eq!(
            admit(11 * MIB, CaseFiles::default())
                .unwrap_err()
                .to_string(),
            "the file “hot.png” is larger than 10 MiB a file"
        );
    }

    #[test]
    fn the_room_for_the_next_file_is_what_the_file_and_the_case_both_allow() {
        let limits = AttachmentLimits::default();
        assert_eq!(limits.room_for_next(CaseFiles::default()), 10 * MIB);
        let almost_full = CaseFiles {
            count: 5,
            bytes: 47 * MIB,
        };
        assert_eq!(limits.room_for_next(almost_full), 3 * MIB);
        let over = CaseFiles {
            count: 5,
            bytes: 60 * MIB,
        };
        assert_eq!(limits.room_for_next(over), 0, "limits lowered since");
    }

    #[test]
    fn a_file_is_shown_by_its_own_name_and_nothing_that_could_mislead() {
        let shown = |sent: &str| FileName::from_upload(sent).to_string();
        assert_eq!(
            shown("Skärmbild 2026-12-07 kl. 21.14.png"),
            "Skärmbild 2026-12-07 kl. 21.14.png"
        );
        assert_eq!(shown("C:\\Users\\anna\\Hemligt\\brev.pdf"), "brev.pdf");
        assert_eq!(shown("../../etc/passwd"), "passwd");
        assert_eq!(shown("inbjudan\u{202E}gpj.exe"), "inbjudangpj.exe");
        assert_eq!(
            shown("rad\nbrytning\t och  mellanrum"),
            "radbrytning och mellanrum"
        );
        assert_eq!(shown(""), "fil");
        assert_eq!(shown("..."), "fil");
        assert_eq!(shown("mapp/"), "fil");
        assert_eq!(shown(&"å".repeat(300)).chars().count(), MAX_FILE_NAME_CHARS);
        assert_eq!(
            shown("hot\u{200B}.png\u{200F}"),
            "hot.png",
            "invisible characters"
        );
    }

    #[test]
    fn a_download_is_named_for_what_it_is_whatever_it_was_sent_as() {
        let saved = |sent: &str, kind| FileName::from_upload(sent).download_name(kind);
        assert_eq!(saved("brev.pdf", FileKind::Pdf), "brev.pdf");
        assert_eq!(saved("IMG_0042.JPEG", FileKind::Jpeg), "IMG_0042.JPEG");
        assert_eq!(saved("bevis.html", FileKind::PlainText), "bevis.html.txt");
        assert_eq!(saved("bevis.hta", FileKind::PlainText), "bevis.hta.txt");
        assert_eq!(saved("skärmbild", FileKind::Png), "skärmbild.png");
        assert_eq!(saved("polyglot.html", FileKind::Jpeg), "polyglot.html.jpg");
    }
}
