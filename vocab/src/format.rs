//! The file formats a generated file may have, told by its first bytes.

use std::fmt;

use crate::Media;

/// A file format recognised by its signature (its first bytes).
///
/// ```
/// use videohub_vocab::{FileFormat, Media};
///
/// let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
/// assert_eq!(FileFormat::of(png), Some(FileFormat::Png));
/// assert!(Media::Image.accepts(png));
/// assert!(!Media::Video.accepts(png));
/// assert!(!Media::Video.accepts(b"<!DOCTYPE html><html>"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileFormat {
    /// ISO base media (MP4, MOV, M4A): a `ftyp` box first (or, for older QuickTime files,
    /// a `moov`, `mdat`, `free`, `skip` or `wide` box).
    IsoMedia,
    /// Matroska or WebM: the EBML magic `1A 45 DF A3`.
    Matroska,
    /// PNG.
    Png,
    /// JPEG: `FF D8 FF`.
    Jpeg,
    /// WebP: `RIFF` … `WEBP`.
    WebP,
    /// GIF87a or GIF89a.
    Gif,
    /// WAV: `RIFF` … `WAVE`.
    Wav,
    /// MP3: an `ID3` tag or an MPEG audio frame sync (which also starts AAC in ADTS).
    Mp3,
    /// Ogg (Vorbis, Opus).
    Ogg,
    /// FLAC.
    Flac,
}

/// How many first bytes [`FileFormat::of`] needs at most.
pub const SIGNATURE_LEN: usize = 12;

impl FileFormat {
    /// The format whose signature `head` (the file's first bytes, [`SIGNATURE_LEN`] are
    /// enough) starts with; `None` for anything else, such as text or an HTML page.
    pub fn of(head: &[u8]) -> Option<FileFormat> {
        let at = |range: std::ops::Range<usize>| head.get(range);
        if let Some(kind) = at(4..8)
            && [b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide"]
                .contains(&kind.try_into().ok()?)
        {
            return Some(FileFormat::IsoMedia);
        }
        let riff = |form: &[u8]| head.starts_with(b"RIFF") && at(8..12) == Some(form);
        Some(if head.starts_with(&[0x1A, 0x45, 0xDF, 0xA3]) {
            FileFormat::Matroska
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            FileFormat::Png
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            FileFormat::Jpeg
        } else if riff(b"WEBP") {
            FileFormat::WebP
        } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
            FileFormat::Gif
        } else if riff(b"WAVE") {
            FileFormat::Wav
        } else if head.starts_with(b"ID3")
            || matches!(head, [0xFF, second, ..] if second & 0xE0 == 0xE0)
        {
            FileFormat::Mp3
        } else if head.starts_with(b"OggS") {
            FileFormat::Ogg
        } else if head.starts_with(b"fLaC") {
            FileFormat::Flac
        } else {
            return None;
        })
    }

    /// The usual name, e.g. `MP4/MOV`.
    pub const fn name(self) -> &'static str {
        match self {
            FileFormat::IsoMedia => "MP4/MOV",
            FileFormat::Matroska => "WebM/Matroska",
            FileFormat::Png => "PNG",
            FileFormat::Jpeg => "JPEG",
            FileFormat::WebP => "WebP",
            FileFormat::Gif => "GIF",
            FileFormat::Wav => "WAV",
            FileFormat::Mp3 => "MP3",
            FileFormat::Ogg => "Ogg",
            FileFormat::Flac => "FLAC",
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Media {
    /// The formats a file of this kind may have: MP4/MOV or WebM/Matroska for videos; PNG,
    /// JPEG, WebP or GIF for images; WAV, MP3, Ogg, FLAC, M4A or WebM for audio.
    pub const fn formats(self) -> &'static [FileFormat] {
        match self {
            Media::Video => &[FileFormat::IsoMedia, FileFormat::Matroska],
            Media::Image => &[
                FileFormat::Png,
                FileFormat::Jpeg,
                FileFormat::WebP,
                FileFormat::Gif,
            ],
            Media::Audio => &[
                FileFormat::Wav,
                FileFormat::Mp3,
                FileFormat::Ogg,
                FileFormat::Flac,
                FileFormat::IsoMedia,
                FileFormat::Matroska,
            ],
        }
    }

    /// Whether a file starting with `head` is of one of this kind's [`formats`](Media::formats).
    pub fn accepts(self, head: &[u8]) -> bool {
        FileFormat::of(head).is_some_and(|format| self.formats().contains(&format))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures() {
        let cases: [(&[u8], Option<FileFormat>); 16] = [
            (b"\0\0\0\x20ftypisom\0\0", Some(FileFormat::IsoMedia)),
            (b"\0\0\0\x08wide\0\0\0\0", Some(FileFormat::IsoMedia)),
            (
                b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",
                Some(FileFormat::Matroska),
            ),
            (b"\x89PNG\r\n\x1a\n\0\0\0\r", Some(FileFormat::Png)),
            (b"\xff\xd8\xff\xe0\0\x10JFIF", Some(FileFormat::Jpeg)),
            (b"RIFF\x24\0\0\0WEBPVP8 ", Some(FileFormat::WebP)),
            (b"GIF89a\x01\0\x01\0", Some(FileFormat::Gif)),
            (b"RIFF\x24\0\0\0WAVEfmt ", Some(FileFormat::Wav)),
            (b"ID3\x04\0\0\0\0\0\0", Some(FileFormat::Mp3)),
            (b"\xff\xfb\x90\x64\0\0", Some(FileFormat::Mp3)),
            (b"OggS\0\x02\0\0", Some(FileFormat::Ogg)),
            (b"fLaC\0\0\0\x22", Some(FileFormat::Flac)),
            (b"<!DOCTYPE html>", None),
            (b"{\"error\":\"x\"}", None),
            (b"RIFF\x24\0\0\0AVI LIST", None),
            (b"", None),
        ];
        for (head, format) in cases {
            assert_eq!(FileFormat::of(head), format, "{head:?}");
        }
    }

    #[test]
    fn each_kind_accepts_its_formats_only() {
        let mp4 = b"\0\0\0\x20ftypisom";
        assert!(Media::Video.accepts(mp4));
        assert!(Media::Audio.accepts(mp4), "M4A");
        assert!(!Media::Image.accepts(mp4));
        let jpeg = b"\xff\xd8\xff\xe0";
        assert!(Media::Image.accepts(jpeg));
        assert!(!Media::Video.accepts(jpeg));
        assert!(!Media::Audio.accepts(b"GIF89a"));
        assert!(!Media::Video.accepts(&[0u8; 12]));
    }
}
