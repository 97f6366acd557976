//! The parser (§4.2): `(@interface …)` items into a [`Section`].

use super::ParseError;
use super::lexer::{Lexer, Pos, Token, unescape};
use crate::binary::{MAX_ENCODED_STRING_LEN, MAX_TYPE_NESTING};
use crate::instructions::Instruction;
use crate::section::{Adapter, Export, Implementation, Import, Section};
use crate::types::{FunctionArg, FunctionType, IType, RecordField, RecordType, TypeEntry};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// What to do with tokens outside `(@interface …)` items.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// The input is an IT text: anything else is an error.
    ItText,
    /// The input is a WAT file: everything else is skipped.
    Wat,
}

pub(super) struct Parser<'a> {
    lexer: Lexer<'a>,
    peeked: Option<(Token<'a>, Pos)>,
    /// The `it_version` seen so far (a second one is an error).
    version: Option<String>,
    section: Section,
}

impl<'a> Parser<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Parser {
            lexer: Lexer::new(src),
            peeked: None,
            version: None,
            section: Section::default(),
        }
    }

    /// Every instruction up to the end of input: an adapter body without its `(@interface func
    /// (type N)` and `)`.
    pub(super) fn instructions(mut self) -> Result<Vec<Instruction>, ParseError> {
        let mut instructions = Vec::new();
        while self.peek()?.is_some() {
            instructions.push(self.instruction("an instruction")?);
        }
        Ok(instructions)
    }

    /// One type, then the end of input.
    pub(super) fn only_itype(mut self) -> Result<IType, ParseError> {
        let ty = self.itype()?;
        match self.next()? {
            None => Ok(ty),
            Some((token, pos)) => Err(Self::unexpected(token, pos, "the end of the type")),
        }
    }

    /// Parses every item and checks the version rule.
    pub(super) fn parse(mut self, mode: Mode) -> Result<Section, ParseError> {
        while let Some((token, pos)) = self.next()? {
            match token {
                Token::Annotation("interface") => self.item()?,
                _ if mode == Mode::Wat => {}
                other => {
                    return Err(pos.error(format!(
                        "expected `(@interface`, found {}",
                        other.describe()
                    )));
                }
            }
        }
        let Some(version) = self.version else {
            return Err(self.lexer.pos().error(
                "missing `(@interface it_version \"…\")`: the module was probably built with an \
                 old toolchain (IT before 0.18); rebuild it with a current marine",
            ));
        };
        self.section.version = version;
        Ok(self.section)
    }

    fn next(&mut self) -> Result<Option<(Token<'a>, Pos)>, ParseError> {
        match self.peeked.take() {
            Some(peeked) => Ok(Some(peeked)),
            None => self.lexer.next_token(),
        }
    }

    fn peek(&mut self) -> Result<Option<Token<'a>>, ParseError> {
        if self.peeked.is_none() {
            self.peeked = self.lexer.next_token()?;
        }
        Ok(self.peeked.map(|(token, _)| token))
    }

    /// Where the next token starts (the end of input if there is none).
    fn next_pos(&mut self) -> Result<Pos, ParseError> {
        self.peek()?;
        Ok(self.peeked.map_or_else(|| self.lexer.pos(), |(_, pos)| pos))
    }

    /// The next token, which must exist; `expected` says what was wanted, for the error.
    fn token(&mut self, expected: &str) -> Result<(Token<'a>, Pos), ParseError> {
        let end = self.lexer.pos();
        self.next()?
            .ok_or_else(|| end.error(format!("expected {expected}, found the end of input")))
    }

    fn unexpected(token: Token<'_>, pos: Pos, expected: &str) -> ParseError {
        pos.error(format!("expected {expected}, found {}", token.describe()))
    }

    fn expect(&mut self, wanted: Token<'_>) -> Result<Pos, ParseError> {
        let expected = wanted.describe();
        let (token, pos) = self.token(&expected)?;
        if token == wanted {
            Ok(pos)
        } else {
            Err(Self::unexpected(token, pos, &expected))
        }
    }

    fn keyword(&mut self, keyword: &str) -> Result<Pos, ParseError> {
        self.expect(Token::Atom(keyword))
    }

    fn string(&mut self, what: &str) -> Result<String, ParseError> {
        match self.token(what)? {
            (Token::String(raw), pos) => {
                encodable(utf8(unescape(raw, pos)?, pos, what)?, pos, what)
            }
            (token, pos) => Err(Self::unexpected(token, pos, what)),
        }
    }

    /// A NAME (§4.2): `$id` with one trailing `:` stripped, or a string (strait extension).
    fn name(&mut self, what: &str) -> Result<String, ParseError> {
        match self.token(what)? {
            (Token::Id(id), pos) => {
                encodable(String::from(id.strip_suffix(':').unwrap_or(id)), pos, what)
            }
            (Token::String(raw), pos) => {
                encodable(utf8(unescape(raw, pos)?, pos, what)?, pos, what)
            }
            (token, pos) => Err(Self::unexpected(token, pos, what)),
        }
    }

    /// A NAME then an optional standalone `:`.
    fn field_name(&mut self, what: &str) -> Result<String, ParseError> {
        let name = self.name(what)?;
        if self.peek()? == Some(Token::Atom(":")) {
            self.next()?;
        }
        Ok(name)
    }

    fn number<T: TryFrom<i128>>(&mut self, what: &str) -> Result<T, ParseError> {
        match self.token(what)? {
            (Token::Atom(atom), pos) => match parse_integer(atom) {
                Some(value) => T::try_from(value)
                    .map_err(|_| pos.error(format!("`{atom}` is out of range for {what}"))),
                None => Err(pos.error(format!("expected {what}, found `{atom}`"))),
            },
            (token, pos) => Err(Self::unexpected(token, pos, what)),
        }
    }

    fn u32(&mut self, what: &str) -> Result<u32, ParseError> {
        self.number(what)
    }

    /// The body of one `(@interface …)` item, up to and including its `)`.
    fn item(&mut self) -> Result<(), ParseError> {
        let expected = "`it_version`, `type`, `import`, `func`, `export` or `implement`";
        let (token, pos) = self.token(expected)?;
        match token {
            Token::Atom("it_version") => {
                let version_pos = self.next_pos()?;
                let version = self.string("the IT version string")?;
                if self.version.is_some() {
                    return Err(pos.error("only one version directive is possible"));
                }
                if let Err(error) = semver::Version::parse(&version) {
                    return Err(version_pos.error(format!(
                        "the IT version {version:?} is not a valid semver: {error}"
                    )));
                }
                self.version = Some(version);
            }
            Token::Atom("type") => {
                let entry = self.type_entry()?;
                self.section.types.push(entry);
            }
            Token::Atom("import") => {
                let namespace = self.string("the import namespace string")?;
                let name = self.string("the import name string")?;
                self.expect(Token::LParen)?;
                self.keyword("func")?;
                self.expect(Token::LParen)?;
                self.keyword("type")?;
                let function_type = self.u32("a function type index")?;
                self.expect(Token::RParen)?;
                self.expect(Token::RParen)?;
                self.section.imports.push(Import {
                    namespace,
                    name,
                    function_type,
                });
            }
            Token::Atom("func") => {
                self.expect(Token::LParen)?;
                self.keyword("type")?;
                let function_type = self.u32("a function type index")?;
                self.expect(Token::RParen)?;
                let mut instructions = Vec::new();
                while self.peek()? != Some(Token::RParen) {
                    instructions.push(self.instruction("an instruction or `)`")?);
                }
                self.section.adapters.push(Adapter {
                    function_type,
                    instructions,
                });
            }
            Token::Atom("export") => {
                let name = self.string("the export name string")?;
                self.expect(Token::LParen)?;
                self.keyword("func")?;
                let function_type = self.u32("a function type index")?;
                self.expect(Token::RParen)?;
                self.section.exports.push(Export {
                    name,
                    function_type,
                });
            }
            Token::Atom("implement") => {
                let function = |parser: &mut Self| -> Result<u32, ParseError> {
                    parser.expect(Token::LParen)?;
                    parser.keyword("func")?;
                    let index = parser.u32("a function type index")?;
                    parser.expect(Token::RParen)?;
                    Ok(index)
                };
                let core_function_type = function(self)?;
                let adapter_function_type = function(self)?;
                self.section.implementations.push(Implementation {
                    core_function_type,
                    adapter_function_type,
                });
            }
            other => return Err(Self::unexpected(other, pos, expected)),
        }
        self.expect(Token::RParen)?;
        Ok(())
    }

    /// `(func …)` or `(record …)` after `type`.
    fn type_entry(&mut self) -> Result<TypeEntry, ParseError> {
        self.expect(Token::LParen)?;
        let (token, pos) = self.token("`func` or `record`")?;
        let entry = match token {
            Token::Atom("func") => TypeEntry::Function(self.function_type()?),
            Token::Atom("record") => TypeEntry::Record(self.record_type(pos)?),
            other => return Err(Self::unexpected(other, pos, "`func` or `record`")),
        };
        self.expect(Token::RParen)?;
        Ok(entry)
    }

    /// Any number of `(param …)` and `(result …)` groups, in any order, concatenated.
    fn function_type(&mut self) -> Result<FunctionType, ParseError> {
        let mut function = FunctionType::default();
        while self.peek()? == Some(Token::LParen) {
            self.next()?;
            let (token, pos) = self.token("`param` or `result`")?;
            match token {
                Token::Atom("param") => {
                    while self.peek()? != Some(Token::RParen) {
                        let name = self.field_name("a parameter name (`$name:`)")?;
                        let ty = self.itype()?;
                        function.params.push(FunctionArg { name, ty });
                    }
                }
                Token::Atom("result") => {
                    while self.peek()? != Some(Token::RParen) {
                        function.results.push(self.itype()?);
                    }
                }
                other => return Err(Self::unexpected(other, pos, "`param` or `result`")),
            }
            self.expect(Token::RParen)?;
        }
        Ok(function)
    }

    /// `record NAME ( field NAME: T … )`: all fields in one group, at least one.
    fn record_type(&mut self, pos: Pos) -> Result<RecordType, ParseError> {
        let name = self.name("a record name")?;
        self.expect(Token::LParen)?;
        let mut fields = Vec::new();
        while self.peek()? != Some(Token::RParen) {
            self.keyword("field")?;
            let name = self.field_name("a field name (`$name:`)")?;
            let ty = self.itype()?;
            fields.push(RecordField { name, ty });
        }
        self.expect(Token::RParen)?;
        if fields.is_empty() {
            let index = self.section.types.len();
            return Err(pos.error(format!("record type {index} has no fields")));
        }
        Ok(RecordType { name, fields })
    }

    /// A type. `array (` prefixes are counted in a loop, not by recursion, and bounded (D67).
    fn itype(&mut self) -> Result<IType, ParseError> {
        let expected = "a type";
        let mut depth = 0usize;
        let leaf = loop {
            let (token, pos) = self.token(expected)?;
            let Token::Atom(atom) = token else {
                return Err(Self::unexpected(token, pos, expected));
            };
            break match atom {
                "array" => {
                    self.expect(Token::LParen)?;
                    depth += 1;
                    if depth > MAX_TYPE_NESTING {
                        return Err(pos.error(format!(
                            "type nests arrays more than {MAX_TYPE_NESTING} levels deep"
                        )));
                    }
                    continue;
                }
                "record" => IType::Record(self.number("a record type index")?),
                // What Marine prints for `boolean` (D6).
                "bool" => IType::Boolean,
                keyword => match IType::from_keyword(keyword) {
                    Some(ty) => ty,
                    None => return Err(Self::unexpected(token, pos, expected)),
                },
            };
        };
        let mut ty = leaf;
        for _ in 0..depth {
            self.expect(Token::RParen)?;
            ty = IType::Array(Box::new(ty));
        }
        Ok(ty)
    }

    /// One instruction; `expected` says what the error names if there is none.
    fn instruction(&mut self, expected: &str) -> Result<Instruction, ParseError> {
        match self.token(expected)? {
            (Token::Atom(name), pos) => parse_instruction(self, name)
                .unwrap_or_else(|| Err(pos.error(format!("unknown instruction `{name}`")))),
            (token, pos) => Err(Self::unexpected(token, pos, expected)),
        }
    }
}

fn utf8(bytes: Vec<u8>, pos: Pos, what: &str) -> Result<String, ParseError> {
    String::from_utf8(bytes).map_err(|_| pos.error(format!("{what} is not valid UTF-8")))
}

/// A string the binary format can hold: its one-byte length caps it at 255 bytes (D2), so
/// a longer one is refused here rather than when the parsed section is encoded.
fn encodable(text: String, pos: Pos, what: &str) -> Result<String, ParseError> {
    if text.len() > MAX_ENCODED_STRING_LEN {
        return Err(pos.error(format!(
            "{what} is {} bytes long; the binary format holds at most {MAX_ENCODED_STRING_LEN}",
            text.len()
        )));
    }
    Ok(text)
}

/// A WAT integer: optional sign, decimal or `0x` hex digits, `_` between digits. The range is
/// checked by the caller.
fn parse_integer(atom: &str) -> Option<i128> {
    let (negative, unsigned) = match atom.as_bytes().first()? {
        b'-' => (true, &atom[1..]),
        b'+' => (false, &atom[1..]),
        _ => (false, atom),
    };
    let (radix, digits) = match unsigned.strip_prefix("0x") {
        Some(hex) => (16, hex),
        None => (10, unsigned),
    };
    if digits.is_empty() || digits.starts_with('_') || digits.ends_with('_') {
        return None;
    }
    let mut value: i128 = 0;
    let mut previous_underscore = false;
    for c in digits.chars() {
        if c == '_' {
            if previous_underscore {
                return None;
            }
            previous_underscore = true;
            continue;
        }
        previous_underscore = false;
        let digit = i128::from(c.to_digit(radix)?);
        value = value.checked_mul(i128::from(radix))?.checked_add(digit)?;
    }
    Some(if negative { -value } else { value })
}

/// An `i32.push` immediate: a signed i32, or an unsigned 32-bit pattern as WAT allows.
fn i32_immediate(parser: &mut Parser<'_>) -> Result<i32, ParseError> {
    let pos = parser.next_pos()?;
    let value: i64 = parser.number("an i32")?;
    i32::try_from(value)
        .or_else(|_| u32::try_from(value).map(u32::cast_signed))
        .map_err(|_| pos.error(format!("{value} is out of the i32 range")))
}

/// An `i64.push` immediate: a signed i64, or an unsigned 64-bit pattern as WAT allows.
fn i64_immediate(parser: &mut Parser<'_>) -> Result<i64, ParseError> {
    let pos = parser.next_pos()?;
    let value: i128 = parser.number("an i64")?;
    i64::try_from(value)
        .or_else(|_| u64::try_from(value).map(u64::cast_signed))
        .map_err(|_| pos.error(format!("{value} is out of the i64 range")))
}

/// Parses one immediate of the kind named in the instruction table.
macro_rules! parse_immediate {
    ($parser:ident, U32, $text:literal, $field:ident) => {
        $parser.u32(concat!("the ", stringify!($field), " of `", $text, "`"))?
    };
    ($parser:ident, I32, $text:literal, $field:ident) => {
        i32_immediate($parser)?
    };
    ($parser:ident, I64, $text:literal, $field:ident) => {
        i64_immediate($parser)?
    };
    ($parser:ident, IType, $text:literal, $field:ident) => {
        $parser.itype()?
    };
}

/// Generates `parse_instruction` from the instruction table: matches the text name, then
/// parses the immediates. `None` means the name is not an instruction.
macro_rules! define_parse_instruction {
    ($(
        $opcode:literal $variant:ident $({ $($field:ident : $kind:ident),* })?
        $text:literal => $sem:ident $(($($sem_args:tt)*))?
    )*) => {
        fn parse_instruction(
            parser: &mut Parser<'_>,
            name: &str,
        ) -> Option<Result<Instruction, ParseError>> {
            Some(match name {
                $(
                    $text => attempt(|| Ok(Instruction::$variant $({ $(
                        $field: parse_immediate!(parser, $kind, $text, $field)
                    ),* })?)),
                )*
                _ => return None,
            })
        }
    };
}

/// Runs `f`, so that `?` can be used inside an expression.
fn attempt<T>(f: impl FnOnce() -> Result<T, ParseError>) -> Result<T, ParseError> {
    f()
}

crate::for_each_instruction!(define_parse_instruction);

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn integers() {
        assert_eq!(parse_integer("42"), Some(42));
        assert_eq!(parse_integer("-42"), Some(-42));
        assert_eq!(parse_integer("+7"), Some(7));
        assert_eq!(parse_integer("0x1f"), Some(31));
        assert_eq!(parse_integer("1_000"), Some(1000));
        assert_eq!(parse_integer("1__0"), None);
        assert_eq!(parse_integer("_1"), None);
        assert_eq!(parse_integer("-"), None);
        assert_eq!(parse_integer("abc"), None);
        assert_eq!(parse_integer(""), None);
        assert_eq!(parse_integer(&"9".repeat(60)), None);
    }

    /// Names and strings the binary format cannot hold (over 255 bytes) are parse errors
    /// at their position, so every parsed section encodes (a fuzz finding).
    #[test]
    fn strings_longer_than_the_binary_format_holds() {
        let param = |name: &str| {
            format!(
                "(@interface it_version \"0.20.0\")\n(@interface type (func (param ${name}: i32)))"
            )
        };
        assert!(crate::text::parse(&param(&"p".repeat(255))).is_ok());
        let error = crate::text::parse(&param(&"p".repeat(256))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "line 2, column 31: a parameter name (`$name:`) is 256 bytes long; the binary \
             format holds at most 255"
        );
        let export = format!(
            "(@interface it_version \"0.20.0\")\n(@interface export \"{}\" (func 0))",
            "e".repeat(300)
        );
        let error = crate::text::parse(&export).unwrap_err();
        assert!(
            error.to_string().ends_with(
                "the export name string is 300 bytes long; the binary format holds at most 255"
            ),
            "{error}"
        );
    }
}
