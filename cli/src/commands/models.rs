//! `videohub models …`: the compiled catalog, one model's parameters, and source for new ones.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use serde_json::json;
use videohub::ModelSchema;
use videohub::models::catalog;
use videohub::schema::{Category, ParamSchema};
use videohub_app::catalog::{Catalog, Gap};

use crate::args::Global;
use crate::exit::Exit;
use crate::hub::{Hub, HubArgs, api};
use crate::output::{Failure, print_json, table};
use crate::output::{out, outln};
use crate::schemas;

/// `videohub models …`.
#[derive(Debug, clap::Args)]
pub(crate) struct ModelsArgs {
    #[command(subcommand)]
    command: ModelsCommand,
}

/// `videohub models list|show|check|codegen`.
#[derive(Debug, Subcommand)]
pub(crate) enum ModelsCommand {
    /// List every model videohub knows, with its category and vendor.
    List {
        /// Only the models of this category (e.g. text-to-video).
        #[arg(long, value_parser = parse_category)]
        category: Option<Category>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Show one model's parameters: types, defaults, allowed values, ranges.
    Show {
        /// The model id, e.g. veo-3.1.
        id: String,
        /// Print the schema as JSON, in the layout of the hub's model list.
        #[arg(long)]
        json: bool,
    },
    /// Compare every compiled model with the live hub (exit 4 when they differ).
    Check {
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write `#[video_model]` structs from the live hub's schemas, ready for your own crate.
    Codegen {
        /// The model ids.
        #[arg(
            required_unless_present = "all_missing",
            conflicts_with = "all_missing"
        )]
        ids: Vec<String>,
        /// Every model the hub lists that videohub does not compile.
        #[arg(long)]
        all_missing: bool,
        /// Write to this file instead of standard output.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// `videohub models list|show|check|codegen`.
pub(crate) async fn run(args: ModelsArgs, global: &Global) -> Result<ExitCode, Failure> {
    let hub = &global.hub;
    match args.command {
        ModelsCommand::List { category, json } => list(hub, category, json).await?,
        ModelsCommand::Show { id, json } => {
            let model = match videohub::models::find(&id) {
                Some(model) => model.clone(),
                None => schemas::view(&Hub::connect(hub).await?, &id)
                    .await?
                    .into_owned(),
            };
            if json {
                print_json(&model)?;
            } else {
                out!("{}", describe(&model));
            }
        }
        ModelsCommand::Check { json } => return check(&Hub::connect(hub).await?, json).await,
        ModelsCommand::Codegen {
            ids,
            all_missing,
            output,
        } => {
            let hub = Hub::connect(hub).await?;
            let ids = if all_missing {
                missing(&hub).await?
            } else {
                ids
            };
            let mut schemas = Vec::with_capacity(ids.len());
            for id in &ids {
                schemas.push(schemas::live_view(&hub, id).await?);
            }
            let source = videohub::codegen::rust_source(&schemas.iter().collect::<Vec<_>>());
            match output {
                Some(path) => std::fs::write(&path, source).map_err(|e| {
                    Failure::usage(format!("cannot write `{}`: {e}", path.display()))
                })?,
                None => out!("{source}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The compiled models and the live hub's catalog together, each marked `compiled` (the
/// hub's documented models), `provisional` (compiled, parameters not documented by the hub)
/// or `live only` (on the hub, not compiled: used through its live schema). Without a hub
/// to ask (no key), the compiled models alone, with a note saying so.
async fn list(hub: &HubArgs, category: Option<Category>, json: bool) -> Result<(), Failure> {
    let mut catalog = match Hub::connect(hub).await {
        Ok(hub) => Catalog::read(&hub.client).await,
        Err(failure) => {
            eprintln!(
                "note: the compiled models only; the live catalog was not read: {}",
                failure.message
            );
            Catalog::compiled()
        }
    };
    if let Some(note) = catalog.note() {
        eprintln!("note: {note}");
    }
    if let Some(category) = category {
        catalog = catalog.of_category(category);
    }
    if json {
        let list: Vec<_> = catalog
            .entries
            .iter()
            .map(|m| json!({"id": m.id, "name": m.name, "vendor": m.vendor, "category": m.category, "status": m.availability.as_str()}))
            .collect();
        return print_json(&list);
    }
    let mut table_rows = vec![
        ["ID", "CATEGORY", "VENDOR", "NAME", "STATUS"]
            .map(String::from)
            .to_vec(),
    ];
    table_rows.extend(catalog.entries.into_iter().map(|m| {
        vec![
            m.id,
            m.category,
            m.vendor,
            m.name,
            m.availability.to_string(),
        ]
    }));
    out!("{}", table(&table_rows));
    Ok(())
}

/// The ids the live hub lists, of every capability, that videohub does not compile; a
/// list the hub does not give is an error.
async fn missing(hub: &Hub) -> Result<Vec<String>, Failure> {
    let mut catalog = Catalog::read(&hub.client).await;
    if let Some(gap) = catalog.gaps.pop() {
        return Err(match gap {
            Gap::Failed { source, .. } => api(source),
            timed_out @ Gap::TimedOut { .. } => Failure::new(Exit::Api, timed_out.to_string()),
        });
    }
    Ok(catalog.live_only().map(str::to_owned).collect())
}

/// Compares every compiled model with the live hub: exit 0 when in step, 4 on drift.
async fn check(hub: &Hub, json: bool) -> Result<ExitCode, Failure> {
    let live = hub
        .client
        .models(videohub::Capability::Video)
        .await
        .map_err(api)?;
    let mut reports = Vec::new();
    for model in catalog() {
        let (status, differences) = if live.iter().any(|m| m.id == model.id) {
            let schema = hub.client.model_schema(&model.id).await.map_err(api)?;
            let differences = model.diff(&schema);
            (
                if differences.is_empty() {
                    "in-step"
                } else {
                    "drift"
                },
                differences,
            )
        } else {
            ("missing", Vec::new())
        };
        reports.push((model, status, differences));
    }
    let not_compiled: Vec<&str> = live
        .iter()
        .map(|m| m.id.as_str())
        .filter(|id| videohub::models::find(id).is_none())
        .collect();
    let in_step = reports.iter().all(|(_, status, _)| *status == "in-step");
    if json {
        let models: Vec<_> = reports
            .iter()
            .map(|(m, status, differences)| json!({"id": m.id, "status": status, "differences": differences}))
            .collect();
        print_json(&json!({"in_step": in_step, "models": models, "not_compiled": not_compiled}))?;
    } else {
        for (model, status, differences) in &reports {
            match *status {
                "in-step" => outln!("{}: in step", model.id),
                "missing" => outln!("{}: not listed by the hub", model.id),
                _ => {
                    outln!("{}: {} difference(s)", model.id, differences.len());
                    for difference in differences {
                        outln!("  {difference}");
                    }
                }
            }
        }
        if !not_compiled.is_empty() {
            outln!(
                "\nthe hub also lists {} model(s) videohub does not compile: {}\n  use them by id with `videohub generate`, or write types with `videohub models codegen --all-missing`",
                not_compiled.len(),
                not_compiled.join(", ")
            );
        }
    }
    Ok(if in_step {
        ExitCode::SUCCESS
    } else {
        Exit::Drift.into()
    })
}

/// A model's parameters as a table, with its image rule and constraints.
fn describe(model: &ModelSchema) -> String {
    let mut out = format!(
        "{} ({}), {}: {}\n{}\n\n",
        model.name, model.id, model.vendor, model.category, model.description
    );
    let mut rows = vec![
        [
            "NAME",
            "TYPE",
            "REQUIRED",
            "DEFAULT",
            "VALUES / RANGE",
            "DESCRIPTION",
        ]
        .map(String::from)
        .to_vec(),
    ];
    rows.extend(model.params.iter().map(|p| {
        vec![
            p.name.to_string(),
            p.ty.to_string(),
            if p.required {
                "yes".into()
            } else {
                String::new()
            },
            p.default
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            limits(p),
            p.description.to_string(),
        ]
    }));
    out.push_str(&table(&rows));
    if let Some(images) = &model.image_inputs {
        let count = if images.min == images.max {
            images.min.to_string()
        } else {
            format!("{} to {}", images.min, images.max)
        };
        out.push_str(&format!(
            "\nimages: {count} in `{}` ({})\n",
            images.param,
            images.roles.join("; ")
        ));
    }
    for constraint in model.constraints.iter() {
        out.push_str(&format!(
            "\nrule: {} of {}\n",
            constraint.kind.as_str().replace('_', " "),
            constraint.params.join(", ")
        ));
    }
    out
}

fn limits(param: &ParamSchema) -> String {
    let values = param.values.as_ref().map(|v| {
        v.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    });
    let range = param.range.as_ref().map(ToString::to_string);
    let more = &param.more;
    let min_length = more.min_length.map(|m| format!("≥ {m} chars"));
    let length = param.max_length.map(|m| format!("≤ {m} chars"));
    let items = match (more.min_items, more.max_items) {
        (None, None) => None,
        (min, max) => Some(format!(
            "{} to {} items",
            min.unwrap_or(0),
            max.map_or("any".to_owned(), |m| m.to_string())
        )),
    };
    let pattern = more.pattern.as_ref().map(|p| format!("matches {p}"));
    let format = more.format.as_ref().map(|f| format!("a {f}"));
    let shapes = (!more.variants.is_empty()).then(|| {
        let types: Vec<&str> = more.variants.iter().map(|v| v.ty.as_str()).collect();
        format!("or a {}", types.join(" / "))
    });
    let nullable = more.nullable.then(|| "or null".to_owned());
    [
        values, range, min_length, length, items, pattern, format, shapes, nullable,
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ")
}

/// A category as `--category` takes it, e.g. `text-to-video`.
fn parse_category(text: &str) -> Result<Category, String> {
    text.parse()
        .map_err(|e: videohub::schema::UnknownCategory| e.to_string())
}
