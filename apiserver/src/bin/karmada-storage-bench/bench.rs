//! The storage benchmark (being written).

#[derive(clap::Args, Debug)]
pub struct BenchOptions {}

pub async fn run(_options: BenchOptions) -> anyhow::Result<()> {
    anyhow::bail!("the storage benchmark is not written yet")
}
