//! The crate's module graph has no import circles: if `a` uses `b`, `b` never reaches back to
//! `a` through any chain of uses. A circle means two modules can only be understood, changed and
//! tested together; the next wave of code would copy it.
//!
//! Nodes are source files (a folder's `mod.rs` is the folder's module). An edge goes from a file
//! to the file of every module its paths and `use` items name (`crate::…`, `super::…`,
//! `self::…`, and names a `use` bound to a module). Edges between a module and its own parent
//! or children are not counted: a parent declares and re-exports its children, and children use
//! the types their parent defines.

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    path::{Path, PathBuf},
};

use syn::visit::Visit;

/// A module path from the crate root, such as `["domain", "documents", "versions"]`.
type ModPath = Vec<String>;

/// Every module file of the library crate, by module path.
fn module_files(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut modules = BTreeMap::new();
    let mut pending = vec![src.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read a source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                // src/bin holds binaries: they are crates of their own, not modules of the library.
                if path != src.join("bin") {
                    pending.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src");
            let mut parts: ModPath = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            let file = parts.pop().expect("a file name");
            let stem = file.trim_end_matches(".rs");
            if !matches!(stem, "mod" | "lib" | "main") {
                parts.push(stem.to_owned());
            }
            if stem == "main" {
                continue;
            }
            modules.insert(parts, path);
        }
    }
    modules
}

/// Collects the modules one file refers to.
struct References<'a> {
    modules: &'a BTreeMap<ModPath, PathBuf>,
    /// The module of the file and the inline modules (`mod tests { … }`) entered.
    scope: ModPath,
    /// Names bound by `use` to modules, within this file.
    aliases: HashMap<String, ModPath>,
    /// Items a module re-exports (`pub use x::Item`), by module and name: the module that
    /// defines them.
    reexports: &'a HashMap<(ModPath, String), ModPath>,
    /// The items this file re-exports, when collecting them.
    own_reexports: Vec<(String, ModPath)>,
    found: BTreeSet<ModPath>,
}

impl References<'_> {
    /// The module a path starting with `segments` names, if it names one of the crate's.
    fn resolve(&self, segments: &[String]) -> Option<ModPath> {
        let (mut base, rest): (ModPath, &[String]) = match segments.first()?.as_str() {
            "crate" => (Vec::new(), &segments[1..]),
            "self" => (self.scope.clone(), &segments[1..]),
            "super" => {
                let mut base = self.scope.clone();
                let mut rest = segments;
                while rest.first().is_some_and(|segment| segment == "super") {
                    base.pop();
                    rest = &rest[1..];
                }
                (base, rest)
            }
            first => match self.aliases.get(first) {
                Some(module) => (module.clone(), &segments[1..]),
                // In the crate root, a top-level module is named without `crate::`.
                None if self.scope.is_empty()
                    && self.modules.contains_key(&vec![first.to_owned()]) =>
                {
                    (Vec::new(), segments)
                }
                None => return None,
            },
        };
        // The longest prefix that is a module file, then an item it re-exports from another.
        let mut found = self.modules.contains_key(&base).then(|| base.clone());
        for segment in rest {
            base.push(segment.clone());
            if self.modules.contains_key(&base) {
                found = Some(base.clone());
                continue;
            }
            base.pop();
            if let Some(origin) = self.reexports.get(&(base.clone(), segment.clone())) {
                found = Some(origin.clone());
            }
            break;
        }
        found
    }

    fn note(&mut self, segments: &[String]) {
        if let Some(module) = self.resolve(segments) {
            self.found.insert(module);
        }
    }

    /// Walks a `use` tree, noting each imported path and binding module names.
    fn use_tree(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(path) => {
                prefix.push(path.ident.to_string());
                self.use_tree(prefix, &path.tree);
                prefix.pop();
            }
            syn::UseTree::Name(name) => {
                let ident = name.ident.to_string();
                let bound = if ident == "self" {
                    prefix.last().cloned()
                } else {
                    Some(ident.clone())
                };
                let mut full = prefix.clone();
                if ident != "self" {
                    full.push(ident);
                }
                self.bind(bound, &full);
            }
            syn::UseTree::Rename(rename) => {
                let mut full = prefix.clone();
                if rename.ident != "self" {
                    full.push(rename.ident.to_string());
                }
                self.bind(Some(rename.rename.to_string()), &full);
            }
            syn::UseTree::Glob(_) => self.note(prefix),
            syn::UseTree::Group(group) => {
                for item in &group.items {
                    self.use_tree(prefix, item);
                }
            }
        }
    }

    fn bind(&mut self, name: Option<String>, full: &[String]) {
        self.note(full);
        if let (Some(name), Some(module)) = (name, self.resolve(full))
            && module.last() == full.last()
        {
            self.aliases.insert(name, module);
        }
    }
}

impl<'ast> Visit<'ast> for References<'_> {
    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let before: BTreeSet<ModPath> = std::mem::take(&mut self.found);
        self.use_tree(&mut Vec::new(), &item.tree);
        if !matches!(item.vis, syn::Visibility::Inherited) {
            collect_reexports(self, &mut Vec::new(), &item.tree);
        }
        self.found.extend(before);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        self.note(&segments);
        syn::visit::visit_path(self, path);
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        if item.content.is_some() {
            self.scope.push(item.ident.to_string());
            syn::visit::visit_item_mod(self, item);
            self.scope.pop();
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // Paths inside macro calls (`json!`, `tracing::info!`) are tokens; those that name
        // modules (`crate::x::y`) are still references.
        let tokens: Vec<String> = mac
            .tokens
            .clone()
            .into_iter()
            .map(|t| t.to_string())
            .collect();
        let mut index = 0;
        while index < tokens.len() {
            if matches!(tokens[index].as_str(), "crate" | "super" | "self") {
                let mut segments = vec![tokens[index].clone()];
                let mut next = index + 1;
                while next + 2 < tokens.len() + 1
                    && tokens.get(next).is_some_and(|t| t == ":")
                    && tokens.get(next + 1).is_some_and(|t| t == ":")
                    && let Some(ident) = tokens.get(next + 2)
                {
                    segments.push(ident.clone());
                    next += 3;
                }
                self.note(&segments);
                index = next;
            } else {
                index += 1;
            }
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// Notes the items a `pub use` re-exports (not modules: those resolve by themselves).
fn collect_reexports(
    references: &mut References<'_>,
    prefix: &mut Vec<String>,
    tree: &syn::UseTree,
) {
    let add = |references: &mut References<'_>, source: &[String], name: String| {
        if let Some(origin) = references.resolve(source)
            && origin.last() != source.last()
        {
            references.own_reexports.push((name, origin));
        }
    };
    match tree {
        syn::UseTree::Path(path) => {
            prefix.push(path.ident.to_string());
            collect_reexports(references, prefix, &path.tree);
            prefix.pop();
        }
        syn::UseTree::Name(name) => {
            let mut full = prefix.clone();
            full.push(name.ident.to_string());
            add(references, &full, name.ident.to_string());
        }
        syn::UseTree::Rename(rename) => {
            let mut full = prefix.clone();
            full.push(rename.ident.to_string());
            add(references, &full, rename.rename.to_string());
        }
        syn::UseTree::Glob(_) => {}
        syn::UseTree::Group(group) => {
            for item in &group.items {
                collect_reexports(references, prefix, item);
            }
        }
    }
}

/// The module graph: for each module file, the module files it refers to.
fn module_graph(src: &Path) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let modules = module_files(src);
    let files: BTreeMap<&ModPath, syn::File> = modules
        .iter()
        .map(|(module, path)| {
            let source = std::fs::read_to_string(path).expect("read a source file");
            let file = syn::parse_file(&source)
                .unwrap_or_else(|error| panic!("{} does not parse: {error}", path.display()));
            (module, file)
        })
        .collect();
    // Re-exports first, repeated until they settle (one may re-export another's re-export).
    let mut reexports = HashMap::new();
    loop {
        let mut next = HashMap::new();
        for (module, file) in &files {
            let mut references = References {
                modules: &modules,
                scope: (*module).clone(),
                aliases: HashMap::new(),
                reexports: &reexports,
                own_reexports: Vec::new(),
                found: BTreeSet::new(),
            };
            references.visit_file(file);
            for (name, origin) in references.own_reexports {
                next.insert(((*module).clone(), name), origin);
            }
        }
        if next == reexports {
            break;
        }
        reexports = next;
    }
    let mut graph = BTreeMap::new();
    for (module, file) in &files {
        let module = *module;
        let mut references = References {
            modules: &modules,
            scope: module.clone(),
            aliases: HashMap::new(),
            reexports: &reexports,
            own_reexports: Vec::new(),
            found: BTreeSet::new(),
        };
        references.visit_file(file);
        let related = |other: &ModPath| other.starts_with(module) || module.starts_with(other);
        let edges = references
            .found
            .into_iter()
            .filter(|other| !related(other))
            .collect();
        graph.insert(module.clone(), edges);
    }
    graph
}

/// The groups of modules that reach each other (Tarjan's strongly connected components),
/// leaving out modules that stand alone.
fn circles(graph: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<ModPath>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<ModPath, BTreeSet<ModPath>>,
        index: HashMap<&'g ModPath, usize>,
        low: HashMap<&'g ModPath, usize>,
        stack: Vec<&'g ModPath>,
        on_stack: BTreeSet<&'g ModPath>,
        groups: Vec<Vec<ModPath>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, node: &'g ModPath) {
            let order = self.index.len();
            self.index.insert(node, order);
            self.low.insert(node, order);
            self.stack.push(node);
            self.on_stack.insert(node);
            for next in &self.graph[node] {
                if !self.index.contains_key(next) {
                    self.visit(next);
                    let low = self.low[node].min(self.low[next]);
                    self.low.insert(node, low);
                } else if self.on_stack.contains(next) {
                    let low = self.low[node].min(self.index[next]);
                    self.low.insert(node, low);
                }
            }
            if self.low[node] == self.index[node] {
                let mut group = Vec::new();
                while let Some(member) = self.stack.pop() {
                    self.on_stack.remove(member);
                    group.push(member.clone());
                    if member == node {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.groups.push(group);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: HashMap::new(),
        low: HashMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        groups: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node) {
            walk.visit(node);
        }
    }
    walk.groups
}

fn show(module: &ModPath) -> String {
    if module.is_empty() {
        "crate".to_owned()
    } else {
        module.join("::")
    }
}

#[test]
fn the_crate_has_no_import_circles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = module_graph(&src);
    let found = circles(&graph);
    let described: Vec<String> = found
        .iter()
        .map(|group| {
            let members: BTreeSet<&ModPath> = group.iter().collect();
            let edges: Vec<String> = group
                .iter()
                .flat_map(|from| {
                    graph[from]
                        .iter()
                        .filter(|to| members.contains(to))
                        .map(move |to| format!("    {} -> {}", show(from), show(to)))
                })
                .collect();
            format!("  circle of {} modules:\n{}", group.len(), edges.join("\n"))
        })
        .collect();
    assert!(
        found.is_empty(),
        "modules that reach each other through their imports:\n{}",
        described.join("\n")
    );
}

#[test]
fn the_circle_check_sees_uses_through_paths_aliases_and_reexports() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let src = dir.path();
    std::fs::create_dir_all(src.join("domain")).expect("a folder");
    let write = |path: &str, text: &str| std::fs::write(src.join(path), text).expect("a file");
    write(
        "lib.rs",
        "pub mod app; pub mod state; pub mod domain; pub use state::State;",
    );
    write(
        "state.rs",
        "pub struct State; pub fn start() { crate::app::run(); }",
    );
    write("app.rs", "use crate::State; pub fn run() {}");
    write("domain/mod.rs", "pub mod auth; pub mod users;");
    write(
        "domain/auth.rs",
        "use super::users; pub fn hash() { users::find(); }",
    );
    write(
        "domain/users.rs",
        "pub fn find() {} pub fn add() { super::auth::hash(); }",
    );
    let graph = module_graph(src);
    let module = |path: &str| path.split("::").map(str::to_owned).collect::<ModPath>();
    assert_eq!(
        circles(&graph),
        vec![
            vec![module("app"), module("state")],
            vec![module("domain::auth"), module("domain::users")],
        ]
    );
}

#[test]
fn the_circle_check_sees_a_circle() {
    let mut graph = BTreeMap::new();
    let a = vec!["a".to_owned()];
    let b = vec!["b".to_owned()];
    let c = vec!["c".to_owned()];
    graph.insert(a.clone(), BTreeSet::from([b.clone()]));
    graph.insert(b.clone(), BTreeSet::from([c.clone()]));
    graph.insert(c.clone(), BTreeSet::from([a.clone()]));
    assert_eq!(circles(&graph), vec![vec![a, b, c]]);
}
