# Phones as a spreadsheet holds them, as Evolux and WhatsApp take them:
# digits only, with the country code.
locals {
  spreadsheet = [
    { name = "Maria", phone = "(11) 99988-1122" },  # national: 55 is prefixed
    { name = "João", phone = "+55 21 98888-0001" }, # "+": it has its country code
    { name = "Ana", phone = "011 3222-1122" },      # the trunk "0" is dropped
    { name = "Ian", phone = "+1 (212) 555-0100" },  # another country
    { name = "Rui", phone = "(55) 99977-0002" },    # area code 55, still national
    { name = "Eva", phone = "55 11 99966-0003" },   # 55 and 11 more digits: international already
  ]
}

output "subscriber_phones" {
  description = "The spreadsheet's names by phone, the key campaigns_evolux_campaign_subscribers takes."
  value = {
    for row in local.spreadsheet : provider::campaigns::phone_number(row.phone, "55") => row.name
  }
}
