# An audience from a CSV file in the repository, one line of HCL: the file's
# columns are name, phone, parameter1 and CPF.
resource "campaigns_evolux_campaign_subscribers" "satisfaction_survey" {
  campaign_uuid = "7e9a1b2c-3d4e-4f5a-8b6c-9d0e1f2a3b4c"

  subscribers = {
    for row in csvdecode(file("${path.module}/audience.csv")) :
    row.phone => { name = row.name, parameters = [row.parameter1], fields = { CPF = row.CPF } }
  }
}
