package operatorui

// productOffer is one of the bank's offers an operator sends to a client from the console with one click, as a
// reply of their own. The texts are the bank's current conditions, in Russian as the clients read them; they
// change rarely, with a release, so they live here rather than in a table.
type productOffer struct {
	Key   string
	Title string // catalog key of the button
	Text  string
}

var productOffers = []productOffer{
	{Key: "rko_start", Title: "console.offer_rko_start", Text: "Тариф «Старт» для расчётного счёта:\n" +
		"• открытие счёта — бесплатно, за один визит менеджера;\n" +
		"• обслуживание — 0 ₽ первые 3 месяца, далее 490 ₽ в месяц;\n" +
		"• 3 бесплатных платежа юрлицам и ИП в месяц, далее 49 ₽;\n" +
		"• бизнес-карта и интернет-банк — бесплатно.\n" +
		"Оформим счёт, как только вы подтвердите удобное время встречи."},
	{Key: "rko_active", Title: "console.offer_rko_active", Text: "Тариф «Активный» для расчётного счёта:\n" +
		"• обслуживание — 1 490 ₽ в месяц;\n" +
		"• 30 бесплатных платежей юрлицам и ИП в месяц;\n" +
		"• снятие наличных до 300 000 ₽ в месяц без комиссии;\n" +
		"• зарплатный проект — бесплатно."},
	{Key: "acquiring", Title: "console.offer_acquiring", Text: "Интернет-эквайринг для вашего сайта:\n" +
		"• оплата картами, по QR-коду СБП и через Mir Pay;\n" +
		"• комиссия от 1,9% за операцию, по СБП — 0,7%;\n" +
		"• зачисление на счёт на следующий рабочий день;\n" +
		"• подключение за 1 день, платёжная страница и модули для популярных CMS — бесплатно."},
}

func offerByKey(key string) (productOffer, bool) {
	for _, o := range productOffers {
		if o.Key == key {
			return o, true
		}
	}
	return productOffer{}, false
}
