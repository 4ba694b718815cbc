package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/function"

	"github.com/campaignops/terraform-provider-campaigns/internal/client/evolux"
)

var _ function.Function = &phoneNumberFunction{}

// NewPhoneNumberFunction is provider::campaigns::phone_number.
func NewPhoneNumberFunction() function.Function { return &phoneNumberFunction{} }

type phoneNumberFunction struct{}

func (f *phoneNumberFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "phone_number"
}

func (f *phoneNumberFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "A phone number as digits with its country code",
		MarkdownDescription: "A phone number as a spreadsheet holds it, turned into the digits, country code first, that " +
			"WhatsApp and `campaigns_evolux_campaign_subscribers` take: `(11) 99988-1122`, `+55 11 99988 1122` and " +
			"`011 99988-1122` are all `5511999881122` with `default_country = \"55\"`.\n\n" +
			"Spaces, `+`, `(`, `)` and `-` are dropped. A number that begins with `+` carries its country code already. " +
			"Otherwise leading zeros (a trunk `0`, an international `00`) are dropped, and `default_country` is put " +
			"before the digits unless they begin with it and have at least 10 digits after it, as a full number of " +
			"Brazil, the United States or India does: `5511999881122` stays as it is, while `55 99988-1122` (a number " +
			"of Brazil's area code 55) becomes `5555999881122`. A number of a country whose national numbers are " +
			"shorter than 10 digits carries its country code only when it is written with `+`.\n\n" +
			"The result has 8 to 15 digits (E.164); anything else, letters included, is an error.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name:                "text",
				MarkdownDescription: "The phone number as written, for example `(11) 99988-1122` or `+55 11 99988 1122`.",
			},
			function.StringParameter{
				Name: "default_country",
				MarkdownDescription: "The country calling code, 1 to 3 digits without `+` (for example `55` for Brazil), " +
					"of numbers written without one.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *phoneNumberFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var text, country string
	resp.Error = req.Arguments.Get(ctx, &text, &country)
	if resp.Error != nil {
		return
	}
	if !evolux.ValidCountryCode(country) {
		resp.Error = function.NewArgumentFuncError(1,
			fmt.Sprintf("%q is not a country calling code: 1 to 3 digits, without \"+\", such as \"55\"", country))
		return
	}
	digits, ok := evolux.WithCountryCode(text, country)
	if !ok {
		resp.Error = function.NewArgumentFuncError(0, fmt.Sprintf("%q is not a phone number: with its country code it "+
			"must have 8 to 15 digits, between them only spaces, \"+\", \"(\", \")\" or \"-\"", text))
		return
	}
	resp.Error = resp.Result.Set(ctx, digits)
}
