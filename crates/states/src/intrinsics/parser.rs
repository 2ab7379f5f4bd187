//! Parser: tokens → expression tree.

use serde_json::Value;

use super::lexer::{SyntaxError, Token, tokenize};

/// An intrinsic expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Call {
        name: String,
        args: Vec<Expr>,
    },
    /// A string literal (`raw` keeps escapes, see [`Token::Str`]).
    Str {
        raw: String,
        text: String,
    },
    Literal(Value),
    Path(String),
}

/// Parse a whole intrinsic call.
pub(crate) fn parse(text: &str) -> Result<Expr, SyntaxError> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.expr()?;
    if parser.pos != tokens.len() {
        return Err(format!("unexpected trailing input in '{text}'"));
    }
    match expr {
        Expr::Call { .. } => Ok(expr),
        _ => Err(format!("'{text}' is not an intrinsic function call")),
    }
}

/// Deepest nesting of calls accepted (guards the stack against hostile definitions).
const MAX_NESTING: usize = 64;

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.pos);
        self.pos += 1;
        token
    }

    fn expr(&mut self) -> Result<Expr, SyntaxError> {
        match self.next().cloned() {
            Some(Token::Name(name)) => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err(format!(
                        "intrinsic functions nested deeper than {MAX_NESTING}"
                    ));
                }
                if self.next() != Some(&Token::LParen) {
                    return Err(format!("expected '(' after {name}"));
                }
                let mut args = Vec::new();
                if self.tokens.get(self.pos) == Some(&Token::RParen) {
                    self.pos += 1;
                    return Ok(Expr::Call { name, args });
                }
                loop {
                    args.push(self.expr()?);
                    match self.next() {
                        Some(Token::Comma) => continue,
                        Some(Token::RParen) => return Ok(Expr::Call { name, args }),
                        _ => return Err(format!("expected ',' or ')' in the arguments of {name}")),
                    }
                }
            }
            Some(Token::Str { raw, text }) => Ok(Expr::Str { raw, text }),
            Some(Token::Literal(v)) => Ok(Expr::Literal(v)),
            Some(Token::Path(p)) => Ok(Expr::Path(p)),
            Some(other) => Err(format!("unexpected {other:?}")),
            None => Err("unexpected end of expression".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_nested_calls() -> Result<(), SyntaxError> {
        let expr = parse("States.MathAdd(States.MathAdd($.a, 1), $b)")?;
        let Expr::Call { name, args } = expr else {
            return Err("not a call".into());
        };
        assert_eq!(name, "States.MathAdd");
        assert!(
            matches!(&args[0], Expr::Call { name, args } if name == "States.MathAdd" && args[1] == Expr::Literal(json!(1)))
        );
        assert_eq!(args[1], Expr::Path("$b".into()));
        Ok(())
    }

    #[test]
    fn rejects_missing_parens_and_trailing_input() {
        assert!(parse("States.UUID").is_err());
        assert!(parse("States.UUID() x").is_err());
        assert!(parse("States.Array(1 2)").is_err());
        assert!(parse("'text'").is_err());
        let deep = format!("{}1{}", "States.Array(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).is_err());
    }
}
