package builder

// CampaignField is one field of a campaign, declared once for the encoder,
// the decoder, the checks of what a server kept, the provider and the emulator.
type CampaignField struct {
	Key         string
	Kind        FieldKind
	Role        FieldRole
	Description string
	Text        func(*Campaign) **string // where c holds the value; nil for the list
}

// FieldKind is how a field is spelled.
type FieldKind int

const (
	KindText FieldKind = iota
	KindTimestamp
	KindList // of text: sheet_values
)

// FieldRole says who writes a field.
type FieldRole int

const (
	RoleOptional FieldRole = iota // written by the user, sent in every write
	RoleRequired                  // the same, and never absent
	RolePath                      // written by the user, also in the request path
	RoleServer                    // managed by the server, never sent
)

// User tells whether a configuration sets the field and a server must keep it.
func (f CampaignField) User() bool { return f.Role == RoleOptional || f.Role == RoleRequired }

// CampaignFields are a campaign's fields besides its id, in the seed's order.
var CampaignFields = []CampaignField{
	{FieldCampaignOrganization, KindText, RolePath, "Organization that owns the bot. Changing it creates a new campaign and deletes this one (the plan shows a replacement).",
		func(c *Campaign) **string { return &c.Organization }},
	{FieldCampaignScheduledDate, KindTimestamp, RoleOptional, "When the campaign starts, as an RFC 3339 timestamp such as `2026-12-01T09:00:00-03:00`. Equivalent instants (another offset, fractional zeros) never make a diff.",
		func(c *Campaign) **string { return &c.ScheduledDate }},
	{FieldCampaignCampaignName, KindText, RoleRequired, "Name of the campaign in the bot's campaign module.",
		func(c *Campaign) **string { return &c.CampaignName }},
	{FieldCampaignStatus, KindText, RoleServer, "Server-managed status: `not_started`, `in_progress`, `concluded` or `error`. It refreshes without ever making a diff. " +
		"Once it is not `not_started`, the campaign has started and a plan that changes it fails.",
		func(c *Campaign) **string { return &c.Status }},
	{FieldCampaignBotName, KindText, RolePath, "Bot whose campaign module runs the campaign. Changing it creates a new campaign and deletes this one (the plan shows a replacement).",
		func(c *Campaign) **string { return &c.BotName }},
	{FieldCampaignCreationDate, KindTimestamp, RoleServer, "When the server created the campaign (server-managed), as an RFC 3339 timestamp in UTC. " +
		"A timestamp Builder writes in a form this provider cannot read is kept as Builder wrote it, with a warning.",
		func(c *Campaign) **string { return &c.CreationDate }},
	{FieldCampaignDescription, KindText, RoleOptional, "Free-text description.",
		func(c *Campaign) **string { return &c.Description }},
	{FieldCampaignName, KindText, RoleOptional, "Display name of the campaign action.",
		func(c *Campaign) **string { return &c.Name }},
	{FieldCampaignFile, KindText, RoleOptional, "File the campaign reads its audience from, as Builder expects it.",
		func(c *Campaign) **string { return &c.File }},
	{FieldCampaignContent, KindText, RoleOptional, "Message content sent by the campaign.",
		func(c *Campaign) **string { return &c.Content }},
	{FieldCampaignSheetValues, KindList, RoleOptional, "Values read from the campaign spreadsheet, in order.",
		func(*Campaign) **string { return nil }},
	{FieldCampaignLogFile, KindText, RoleServer, "Log file the server writes while the campaign runs (server-managed).",
		func(c *Campaign) **string { return &c.LogFile }},
}

// Has tells whether c has a value for the field (a list, a non-empty one).
func (f CampaignField) Has(c *Campaign) bool {
	return f.Kind == KindList && len(c.SheetValues) > 0 || f.Kind != KindList && *f.Text(c) != nil
}

// Value is the field's value as JSON encodes it: nil for none.
func (f CampaignField) Value(c *Campaign) any {
	switch {
	case f.Kind == KindList && c.SheetValues != nil:
		return c.SheetValues
	case f.Kind != KindList && *f.Text(c) != nil:
		return **f.Text(c)
	}
	return nil
}
