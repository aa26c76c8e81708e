package operatorui

// max11bCatalog is what the MAX track's second pass adds to the catalog: a MAX client's photos and files in the
// simulator, the console's banner on a chat the channel policy closes, and the messengers' refusals (their codes'
// Russian; the English is the engines'). Added to catalog at start.
var max11bCatalog = map[string]struct{ en, ru string }{
	"sim.err_caption_too_long_max": {"The caption is longer than MAX allows (4000 characters).", "Подпись длиннее, чем позволяет MAX (4000 символов)."},
}

func init() { addCatalog(max11bCatalog) }
