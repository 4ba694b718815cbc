# Who receives it: one row of audience.csv per subscriber, keyed by phone.
# A phone may be written as a spreadsheet holds it ("(11) 99999-0003" has no
# country code, so the CSV adds it here); every row needs the same number of
# parameters, and the plan fails naming the row when one does not.
locals {
  audience = {
    for row in csvdecode(file("${path.module}/audience.csv")) :
    (startswith(replace(row.phone, "/[^0-9]/", ""), "55") ? row.phone : "55 ${row.phone}") => {
      name       = row.name
      parameters = [row.parameter1, row.parameter2]
      fields     = { CPF = row.CPF }
    }
  }
}

resource "campaigns_evolux_campaign_subscribers" "black_friday" {
  campaign_uuid = var.evolux_campaign
  subscribers   = local.audience

  # Each subscriber is messaged as soon as it is inserted: insert only once
  # the Builder campaign is in place.
  depends_on = [campaigns_builder_campaign.black_friday]
}
