//! WAT tokens (§4.1): parentheses, annotation starts `(@name`, `$ids`, strings, and atoms
//! (keywords, numbers and anything else), skipping whitespace and both comment forms.
//!
//! The lexer must get through a whole WAT file without choking on what it does not care about
//! (for [`parse_annotations`](super::parse_annotations)), so anything that is not a
//! parenthesis, string, comment or whitespace lexes as an atom, and string escapes are only
//! checked when a string's value is asked for.

use super::ParseError;
use alloc::format;
use alloc::vec::Vec;

/// A 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Pos {
    pub(super) line: usize,
    pub(super) column: usize,
}

impl Pos {
    pub(super) fn error(self, message: impl Into<alloc::string::String>) -> ParseError {
        ParseError {
            line: self.line,
            column: self.column,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Token<'a> {
    LParen,
    RParen,
    /// `(@name`: the start of an annotation, with its name.
    Annotation(&'a str),
    /// `$name`, without the `$`.
    Id(&'a str),
    /// A string literal's raw text between the quotes (escapes not yet decoded).
    String(&'a str),
    /// Any other run of characters: keywords, numbers, `:`.
    Atom(&'a str),
}

impl Token<'_> {
    /// How an error message shows the token.
    pub(super) fn describe(&self) -> alloc::string::String {
        match self {
            Token::LParen => "`(`".into(),
            Token::RParen => "`)`".into(),
            Token::Annotation(name) => format!("`(@{name}`"),
            Token::Id(id) => format!("`${id}`"),
            Token::String(raw) => format!("the string \"{raw}\""),
            Token::Atom(atom) => format!("`{atom}`"),
        }
    }
}

/// The characters WAT allows in ids and keywords (`idchar`).
pub(super) fn is_idchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-./:<=>?@\\^_`|~".contains(c)
}

/// Characters that end an atom.
fn ends_atom(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"' | ';')
}

pub(super) struct Lexer<'a> {
    src: &'a str,
    /// Byte offset of the next character.
    offset: usize,
    pos: Pos,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Lexer {
            src,
            offset: 0,
            pos: Pos { line: 1, column: 1 },
        }
    }

    /// Where the next character is (the end of input once everything is consumed).
    pub(super) fn pos(&self) -> Pos {
        self.pos
    }

    fn peek(&self) -> Option<char> {
        self.src[self.offset..].chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        let mut chars = self.src[self.offset..].chars();
        chars.next();
        chars.next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.offset += c.len_utf8();
        if c == '\n' {
            self.pos.line += 1;
            self.pos.column = 1;
        } else {
            self.pos.column += 1;
        }
        Some(c)
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let start = self.offset;
        while self.peek().is_some_and(&keep) {
            self.bump();
        }
        &self.src[start..self.offset]
    }

    /// Skips whitespace and comments; block comments nest.
    fn skip_trivia(&mut self) -> Result<(), ParseError> {
        loop {
            match (self.peek(), self.peek_second()) {
                (Some(c), _) if c.is_whitespace() => {
                    self.bump();
                }
                (Some(';'), Some(';')) => {
                    self.take_while(|c| c != '\n');
                }
                (Some('('), Some(';')) => {
                    let start = self.pos;
                    self.bump();
                    self.bump();
                    let mut depth = 1usize;
                    while depth > 0 {
                        match (self.bump(), self.peek()) {
                            (Some('('), Some(';')) => {
                                self.bump();
                                depth += 1;
                            }
                            (Some(';'), Some(')')) => {
                                self.bump();
                                depth -= 1;
                            }
                            (Some(_), _) => {}
                            (None, _) => return Err(start.error("unterminated block comment")),
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    /// The next token and where it starts, or `None` at the end of input.
    pub(super) fn next_token(&mut self) -> Result<Option<(Token<'a>, Pos)>, ParseError> {
        self.skip_trivia()?;
        let pos = self.pos;
        let Some(c) = self.peek() else {
            return Ok(None);
        };
        let token = match c {
            '(' => {
                self.bump();
                if self.peek() == Some('@') {
                    self.bump();
                    Token::Annotation(self.take_while(|c| !ends_atom(c)))
                } else {
                    Token::LParen
                }
            }
            ')' => {
                self.bump();
                Token::RParen
            }
            '"' => Token::String(self.string_body(pos)?),
            '$' => {
                self.bump();
                Token::Id(self.take_while(|c| !ends_atom(c)))
            }
            _ => {
                let atom = self.take_while(|c| !ends_atom(c));
                if atom.is_empty() {
                    // A lone `;` that does not start a comment.
                    self.bump();
                    Token::Atom(&self.src[self.offset - 1..self.offset])
                } else {
                    Token::Atom(atom)
                }
            }
        };
        Ok(Some((token, pos)))
    }

    /// Scans a string literal up to its closing quote; returns the raw text between quotes.
    fn string_body(&mut self, start: Pos) -> Result<&'a str, ParseError> {
        self.bump();
        let begin = self.offset;
        loop {
            match self.bump() {
                Some('"') => return Ok(&self.src[begin..self.offset - 1]),
                Some('\\') => {
                    self.bump();
                }
                Some('\n') | None => return Err(start.error("unterminated string")),
                Some(_) => {}
            }
        }
    }
}

/// Decodes the escapes of a string literal's raw text (`\t \n \r \" \' \\ \hh \u{h…}`).
/// `pos` is the position of the opening quote, for errors.
pub(super) fn unescape(raw: &str, pos: Pos) -> Result<Vec<u8>, ParseError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut chars = raw.char_indices().peekable();
    // Column of a character of `raw`: the literal is on one line, after the opening quote.
    let at = |index: usize| Pos {
        line: pos.line,
        column: pos.column + 1 + raw[..index].chars().count(),
    };
    while let Some((index, c)) = chars.next() {
        if c != '\\' {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        let escaped = chars.next().map(|(_, c)| c);
        match escaped {
            Some('t') => out.push(b'\t'),
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('"') => out.push(b'"'),
            Some('\'') => out.push(b'\''),
            Some('\\') => out.push(b'\\'),
            Some('u') => {
                let bad = || at(index).error("invalid unicode escape: expected `\\u{hex}`");
                if chars.next().map(|(_, c)| c) != Some('{') {
                    return Err(bad());
                }
                let mut value = 0u32;
                let mut digits = 0;
                loop {
                    match chars.next().map(|(_, c)| c) {
                        Some('}') if digits > 0 => break,
                        Some('_') if digits > 0 => {}
                        Some(c) if c.is_ascii_hexdigit() => {
                            value = value
                                .checked_mul(16)
                                .and_then(|v| v.checked_add(c.to_digit(16).unwrap_or(0)))
                                .ok_or_else(bad)?;
                            digits += 1;
                        }
                        _ => return Err(bad()),
                    }
                }
                let c = char::from_u32(value).ok_or_else(|| {
                    at(index).error(format!("\\u{{{value:x}}} is not a unicode scalar value"))
                })?;
                let mut buf = [0; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            Some(high) if high.is_ascii_hexdigit() => {
                let low = chars.next().map(|(_, c)| c);
                match (high.to_digit(16), low.and_then(|c| c.to_digit(16))) {
                    (Some(high), Some(low)) => {
                        out.push(u8::try_from(high * 16 + low).unwrap_or_default());
                    }
                    _ => return Err(at(index).error("invalid escape: `\\` needs two hex digits")),
                }
            }
            _ => return Err(at(index).error("invalid escape in string")),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn tokens(src: &str) -> Vec<Token<'_>> {
        let mut lexer = Lexer::new(src);
        let mut out = vec![];
        while let Some((token, _)) = lexer.next_token().unwrap() {
            out.push(token);
        }
        out
    }

    #[test]
    fn lexes_ids_with_colons_annotations_and_comments() {
        assert_eq!(
            tokens("(@interface (param $size: i32 $:)) ;; x\n (; a (; nested ;) ;) \"s\\\"\""),
            vec![
                Token::Annotation("interface"),
                Token::LParen,
                Token::Atom("param"),
                Token::Id("size:"),
                Token::Atom("i32"),
                Token::Id(":"),
                Token::RParen,
                Token::RParen,
                Token::String("s\\\""),
            ]
        );
    }

    #[test]
    fn positions_are_one_based_lines_and_columns() {
        let mut lexer = Lexer::new("a\n  \"é\" b");
        let positions: Vec<_> = core::iter::from_fn(|| lexer.next_token().unwrap())
            .map(|(_, pos)| (pos.line, pos.column))
            .collect();
        assert_eq!(positions, vec![(1, 1), (2, 3), (2, 7)]);
    }

    #[test]
    fn unterminated_things_are_errors() {
        let error = Lexer::new("  (; x").next_token().unwrap_err();
        assert_eq!((error.line, error.column), (1, 3));
        let error = Lexer::new("\n \"abc\ndef\"").next_token().unwrap_err();
        assert_eq!((error.line, error.column), (2, 2));
    }

    #[test]
    fn escapes() {
        let pos = Pos { line: 1, column: 1 };
        assert_eq!(
            unescape(r#"a\t\n\r\"\'\\\41\u{e9}\u{1F600}"#, pos).unwrap(),
            "a\t\n\r\"'\\Aé😀".as_bytes()
        );
        assert_eq!(unescape(r"\ff", pos).unwrap(), [0xff]);
        let error = unescape(r"ab\q", pos).unwrap_err();
        assert_eq!(error.column, 4);
        assert!(unescape(r"\u{d800}", pos).is_err());
        assert!(unescape(r"\u{110000}", pos).is_err());
        assert!(unescape(r"\4", pos).is_err());
    }
}
