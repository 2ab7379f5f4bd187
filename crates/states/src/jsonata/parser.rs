//! Pratt parser: tokens → [`Node`] tree.

use std::sync::Arc;

use super::lexer::{Tok, tokenize};

/// A parsed JSONata expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
    /// `$name`; `""` is the context `$`, `"$"` the root `$$`.
    Var(String),
    /// A field name step.
    Name(String),
    Regex(String, String),
    /// `lhs.rhs`: evaluate `rhs` for each value of `lhs`.
    Path(Box<Node>, Box<Node>),
    /// `lhs[expr]`: index or predicate.
    Filter(Box<Node>, Box<Node>),
    Call(Box<Node>, Vec<Node>),
    Lambda(Arc<Lambda>),
    Binary(&'static str, Box<Node>, Box<Node>),
    Neg(Box<Node>),
    Cond(Box<Node>, Box<Node>, Option<Box<Node>>),
    /// `$name := value`.
    Bind(String, Box<Node>),
    Block(Vec<Node>),
    Array(Vec<Node>),
    /// `[a..b]` inside an array constructor.
    Range(Box<Node>, Box<Node>),
    /// `*`: every value of an object (flattened over arrays).
    Wildcard,
    /// `value ~> $f(args)`: call `$f(value, args)`.
    Chain(Box<Node>, Box<Node>),
    Object(Vec<(Node, Node)>),
}

/// `function($a, $b) { body }`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Lambda {
    pub(crate) params: Vec<String>,
    pub(crate) body: Node,
}

/// Parse a whole expression.
pub(crate) fn parse(text: &str) -> Result<Node, String> {
    let tokens = tokenize(text)?;
    let mut parser = Parser {
        tokens,
        pos: 0,
        depth: 0,
    };
    let node = parser.expression(0)?;
    if let Some(t) = parser.peek() {
        return Err(format!("unexpected token {t:?}"));
    }
    if tree_depth(&node) > MAX_TREE_DEPTH {
        return Err("expression nested too deeply".into());
    }
    Ok(node)
}

/// Deepest expression tree accepted; long chains such as `a.b.c...` nest
/// without recursion in the parser, so the finished tree is measured too.
const MAX_TREE_DEPTH: usize = 150;

/// The direct sub-expressions of a node.
fn children(node: &Node) -> Vec<&Node> {
    match node {
        Node::Path(a, b)
        | Node::Filter(a, b)
        | Node::Binary(_, a, b)
        | Node::Range(a, b)
        | Node::Chain(a, b) => {
            vec![a, b]
        }
        Node::Call(f, args) => std::iter::once(f.as_ref()).chain(args.iter()).collect(),
        Node::Lambda(lambda) => vec![&lambda.body],
        Node::Neg(a) | Node::Bind(_, a) => vec![a],
        Node::Cond(a, b, c) => [Some(a.as_ref()), Some(b.as_ref()), c.as_deref()]
            .into_iter()
            .flatten()
            .collect(),
        Node::Block(items) | Node::Array(items) => items.iter().collect(),
        Node::Object(pairs) => pairs.iter().flat_map(|(k, v)| [k, v]).collect(),
        Node::Num(_)
        | Node::Str(_)
        | Node::Bool(_)
        | Node::Null
        | Node::Var(_)
        | Node::Name(_)
        | Node::Regex(..)
        | Node::Wildcard => Vec::new(),
    }
}

/// Depth of a tree, measured without recursion.
fn tree_depth(root: &Node) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        if depth > MAX_TREE_DEPTH {
            break;
        }
        stack.extend(children(node).into_iter().map(|child| (child, depth + 1)));
    }
    deepest
}

/// Deepest nesting the parser accepts (guards the stack against hostile input).
const MAX_DEPTH: usize = 100;

struct Parser {
    tokens: Vec<Tok>,
    pos: usize,
    depth: usize,
}

fn infix_power(tok: &Tok) -> Option<(u8, &'static str)> {
    Some(match tok {
        Tok::Op(":=") => (10, ":="),
        Tok::Op("?") => (20, "?"),
        Tok::Keyword("or") => (25, "or"),
        Tok::Keyword("and") => (30, "and"),
        Tok::Op(op @ ("=" | "!=" | "<" | "<=" | ">" | ">=")) => (40, op),
        Tok::Keyword("in") => (40, "in"),
        Tok::Op("~>") => (40, "~>"),
        Tok::Op(op @ ("&" | "+" | "-")) => (50, op),
        Tok::Op(op @ ("*" | "/" | "%")) => (60, op),
        Tok::Op(".") => (75, "."),
        Tok::Op("[") => (80, "["),
        Tok::Op("(") => (80, "("),
        _ => return None,
    })
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let tok = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        tok
    }

    fn expect(&mut self, op: &str) -> Result<(), String> {
        match self.next() {
            Some(Tok::Op(found)) if found == op => Ok(()),
            other => Err(format!("expected '{op}' but found {other:?}")),
        }
    }

    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(found)) if *found == op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expression(&mut self, min_power: u8) -> Result<Node, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("expression nested too deeply".into());
        }
        let mut lhs = self.prefix()?;
        while let Some((power, op)) = self.peek().and_then(infix_power) {
            if power < min_power || (power == min_power && op != ":=") {
                break;
            }
            self.pos += 1;
            lhs = match op {
                ":=" => match lhs {
                    Node::Var(name) => Node::Bind(name, Box::new(self.expression(power)?)),
                    _ => return Err("the left side of := must be a variable".into()),
                },
                "?" => {
                    let then = self.expression(0)?;
                    let otherwise = if self.eat(":") {
                        Some(Box::new(self.expression(power)?))
                    } else {
                        None
                    };
                    Node::Cond(Box::new(lhs), Box::new(then), otherwise)
                }
                "." => Node::Path(Box::new(lhs), Box::new(self.expression(power + 1)?)),
                "[" => {
                    if self.eat("]") {
                        lhs
                    } else {
                        let inner = self.expression(0)?;
                        self.expect("]")?;
                        Node::Filter(Box::new(lhs), Box::new(inner))
                    }
                }
                "(" => Node::Call(Box::new(lhs), self.list(")")?),
                "~>" => Node::Chain(Box::new(lhs), Box::new(self.expression(power + 1)?)),
                op => Node::Binary(op, Box::new(lhs), Box::new(self.expression(power + 1)?)),
            };
        }
        self.depth -= 1;
        Ok(lhs)
    }

    /// Comma-separated expressions up to `close`.
    fn list(&mut self, close: &str) -> Result<Vec<Node>, String> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            items.push(self.expression(0)?);
            if self.eat(close) {
                return Ok(items);
            }
            self.expect(",")?;
        }
    }

    fn prefix(&mut self) -> Result<Node, String> {
        match self.next() {
            Some(Tok::Number(n)) => Ok(Node::Num(n)),
            Some(Tok::Str(s)) => Ok(Node::Str(s)),
            Some(Tok::Name(n)) => Ok(Node::Name(n)),
            Some(Tok::Var(v)) => Ok(Node::Var(v)),
            Some(Tok::Regex(p, f)) => Ok(Node::Regex(p, f)),
            Some(Tok::Keyword("true")) => Ok(Node::Bool(true)),
            Some(Tok::Keyword("false")) => Ok(Node::Bool(false)),
            Some(Tok::Keyword("null")) => Ok(Node::Null),
            Some(Tok::Keyword("function")) => self.lambda(),
            Some(Tok::Op("-")) => Ok(Node::Neg(Box::new(self.expression(70)?))),
            Some(Tok::Op("*")) => Ok(Node::Wildcard),
            Some(Tok::Op("(")) => {
                let mut items = Vec::new();
                loop {
                    if self.eat(")") {
                        return Ok(Node::Block(items));
                    }
                    items.push(self.expression(0)?);
                    if !self.eat(";") {
                        self.expect(")")?;
                        return Ok(Node::Block(items));
                    }
                }
            }
            Some(Tok::Op("[")) => {
                let mut items = Vec::new();
                if self.eat("]") {
                    return Ok(Node::Array(items));
                }
                loop {
                    let item = self.expression(0)?;
                    let item = if self.eat("..") {
                        Node::Range(Box::new(item), Box::new(self.expression(0)?))
                    } else {
                        item
                    };
                    items.push(item);
                    if self.eat("]") {
                        return Ok(Node::Array(items));
                    }
                    self.expect(",")?;
                }
            }
            Some(Tok::Op("{")) => {
                let mut pairs = Vec::new();
                if self.eat("}") {
                    return Ok(Node::Object(pairs));
                }
                loop {
                    let key = self.expression(0)?;
                    self.expect(":")?;
                    pairs.push((key, self.expression(0)?));
                    if self.eat("}") {
                        return Ok(Node::Object(pairs));
                    }
                    self.expect(",")?;
                }
            }
            other => Err(format!("unexpected {other:?}")),
        }
    }

    fn lambda(&mut self) -> Result<Node, String> {
        self.expect("(")?;
        let mut params = Vec::new();
        if !self.eat(")") {
            loop {
                match self.next() {
                    Some(Tok::Var(name)) => params.push(name),
                    other => return Err(format!("expected a parameter but found {other:?}")),
                }
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        }
        self.expect("{")?;
        let body = self.expression(0)?;
        self.expect("}")?;
        Ok(Node::Lambda(Arc::new(Lambda { params, body })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_puts_comparison_under_and() -> Result<(), String> {
        let node = parse("$a.v >= 20 and $a.v < 30")?;
        assert!(matches!(node, Node::Binary("and", ..)));
        let Node::Binary(_, lhs, _) = node else {
            return Err("no".into());
        };
        assert!(matches!(*lhs, Node::Binary(">=", ..)));
        Ok(())
    }

    #[test]
    fn parses_calls_lambdas_bindings_and_constructors() -> Result<(), String> {
        assert!(matches!(
            parse("$sum($states.input.xs) + 1")?,
            Node::Binary("+", ..)
        ));
        assert!(matches!(parse("$fn := function($x){$x}")?, Node::Bind(..)));
        assert!(matches!(parse("{'foo': [1, 'two', 3]}")?, Node::Object(_)));
        assert!(matches!(parse("[1..3]")?, Node::Array(_)));
        Ok(())
    }

    #[test]
    fn rejects_garbage_and_deep_nesting() {
        assert!(parse("1 +").is_err());
        assert!(parse(&"(".repeat(500)).is_err());
    }
}
