//! The team's supplier book: contacts sealed on a member's desktop with the team key, so the
//! database holds only ciphertext (and which suppliers have contacts).

use pifa_core::store::{SealedField, SharedContact};
use pifa_core::team::TeamError;

use crate::error::failed;
use crate::{Member, TeamDb};

impl TeamDb {
    /// Replaces one supplier's sealed fields at once (absent fields are removed).
    pub async fn replace_supplier_contacts(
        &self,
        supplier_id: &str,
        fields: &[SealedField],
        me: &Member,
    ) -> Result<(), TeamError> {
        self.check_writable()?;
        let doing = "saving the team's supplier contacts";
        let mut client = self.client().await;
        let tx = client.transaction().await.map_err(failed(doing))?;
        tx.execute(
            "DELETE FROM pifa.supplier_contacts WHERE supplier_key = $1",
            &[&supplier_id],
        )
        .await
        .map_err(failed(doing))?;
        for (field, sealed) in fields {
            tx.execute(
                "INSERT INTO pifa.supplier_contacts (supplier_key, field, sealed, updated_by)
                 VALUES ($1, $2, $3, $4)",
                &[&supplier_id, field, sealed, &me.member_id],
            )
            .await
            .map_err(failed(doing))?;
        }
        tx.commit().await.map_err(failed(doing))
    }

    /// Every sealed field of the team's supplier book.
    pub async fn supplier_contacts(&self) -> Result<Vec<SharedContact>, TeamError> {
        let rows = self
            .client()
            .await
            .query(
                "SELECT supplier_key, field, sealed FROM pifa.supplier_contacts
                 ORDER BY supplier_key, field",
                &[],
            )
            .await
            .map_err(failed("reading the team's supplier contacts"))?;
        Ok(rows
            .into_iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect())
    }
}
