"""More names for the demo's origins that have no Latin-script Faker locale: the long tail
beyond each origin's common names (in `demo.ORIGINS`), so that, as in life, most people do
not share their whole name with someone else in the area.

Each entry is (men's first names, women's first names, surnames); surnames in their
masculine form where the language has two (`demo.feminine` makes the other).
"""

from __future__ import annotations


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(", "))


MORE_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "Lithuanian": (
        _split(
            "Jonas, Petras, Antanas, Kęstutis, Gintaras, Rimantas, Arūnas, Audrius, Giedrius, Egidijus, "
            "Nerijus, Linas, Marius, Tadas, Paulius, Lukas, Dainius, Vaidas, Rolandas, Aurimas, Ramūnas, "
            "Valdas, Algirdas, Žydrūnas, Karolis, Justinas, Donatas, Ignas, Evaldas, Robertas"
        ),
        _split(
            "Inga, Laura, Vilma, Edita, Daiva, Rasa, Ieva, Agnė, Simona, Jolanta, Lina, Aušra, Eglė, Dalia, "
            "Neringa, Giedrė, Renata, Sandra, Ramunė, Živilė"
        ),
        _split(
            "Žukauskas, Butkus, Paulauskas, Urbonas, Kavaliauskas, Navickas, Ramanauskas, Savickas, Rimkus, "
            "Baranauskas, Žilinskas, Sakalauskas, Mockus, Adomaitis, Lukošius, Jakubauskas, Morkūnas, Vaitkus, "
            "Kairys, Šimkus, Budrys, Stankus, Ivanauskas, Bernotas, Petraitis, Kučinskas, Jonaitis, "
            "Kaminskas, Dambrauskas, Balčiūnas, Grigas, Vitkus, Mikalauskas"
        ),
    ),
    "Albanian": (
        _split(
            "Artan, Bledar, Dritan, Fatmir, Ilir, Kujtim, Agron, Besart, Driton, Fisnik, Florian, Genci, Gëzim, "
            "Ardit, Altin, Elton, Ervin, Fation, Kastriot, Labinot, Liridon, Mentor, Shpend, Valon, Visar, "
            "Xhevdet, Astrit, Endrit, Sokol, Edmond"
        ),
        _split(
            "Arta, Besa, Drita, Edona, Fjolla, Jonida, Klea, Lindita, Mimoza, Rudina, Teuta, Valbona, Vjosa, "
            "Ardita, Erjona, Albana, Entela, Ilda, Xhoana, Dorina"
        ),
        _split(
            "Kola, Leka, Marku, Dushku, Çela, Prifti, Meta, Basha, Bajrami, Kelmendi, Morina, Rama, Rexhepi, "
            "Hasani, Ahmeti, Mustafa, Osmani, Shala, Hysa, Bytyqi, Sejdiu, Zeka, Topalli, Lika, Gjoka, Ndreu, "
            "Rrapi, Kurti, Halili, Ismaili, Tahiri, Beqiri, Gjini, Luli, Musliu"
        ),
    ),
    "Sudanese": (
        _split(
            "Omer, Hamza, Mustafa, Ibrahim, Yousif, Tarig, Hashim, Babiker, Elfatih, Mohanad, Khalid, Salah, "
            "Hassan, Adam, Ismail, Abubakr, Mutasim, Ayman, Nasir, Abdalla, Suliman, Yahya, Amir, Mubarak, "
            "Eltayeb, Hatim, Musa, Bashir, Anwar, Gaafar"
        ),
        _split(
            "Amna, Hiba, Sara, Rania, Samah, Nafisa, Hawa, Asma, Alawia, Mawada, Tasneem, Reem, Safa, Marwa, "
            "Ikhlas, Duaa, Nusiba, Sumaya, Ilham, Zeinab"
        ),
        _split(
            "Abdalla, Elhassan, Babiker, Elamin, Ibrahim, Yousif, Elsheikh, Hamid, Musa, Adam, Idris, Bakheet, "
            "Elnour, Abdelgadir, Omer, Mahmoud, Elbashir, Gamar, Haroun, Ismail, Yagoub, Khalifa, Nour, "
            "Eltahir, Abbas, Salih"
        ),
    ),
    "Vietnamese": (
        _split(
            "Nam, Long, Hai, Son, Dung, Khanh, Phong, Hieu, Huy, Trung, Cuong, Binh, Thang, Vinh, Dat, Toan, "
            "Tien, Bao, Hoang, Kien, Loc, Phuc, Quan, Tam, Thinh, Tri, Viet, An, Khoa, Dai"
        ),
        _split(
            "Mai, Huong, Trang, Ngoc, Phuong, Thao, Anh, Hanh, Hang, Nga, Van, Yen, Tuyet, Nhung, Ha, Hien, "
            "Quynh, Thuy, Diep, Chau"
        ),
        _split(
            "Phan, Vo, Dang, Bui, Do, Ho, Ngo, Duong, Ly, Truong, Dinh, Lam, Mai, Trinh, Dao, Cao, Luong, Ha, "
            "Ta, Quach, Chu, Thai, Luu, Kieu, Tang"
        ),
    ),
    "Somali": (
        _split(
            "Abdullahi, Ali, Omar, Mohamud, Hussein, Ismail, Farah, Said, Abdiaziz, Abdikadir, Abdiweli, Abshir, "
            "Bashir, Dahir, Guled, Hamza, Jama, Khalid, Liban, Mahad, Mukhtar, Nur, Osman, Sharmarke, Warsame, "
            "Yasin, Zakariye, Awil, Bile, Idris"
        ),
        _split(
            "Halima, Khadra, Sahra, Ifrah, Faadumo, Maryan, Ubah, Ayaan, Ilhan, Nasra, Sagal, Hibo, Deqa, "
            "Ruqiya, Ladan, Idil, Hawa, Safiya, Muna, Filsan"
        ),
        _split(
            "Abdi, Ahmed, Mohamed, Omar, Hussein, Ismail, Yusuf, Aden, Egal, Dirie, Hersi, Isse, Samatar, Shire, "
            "Abdirahman, Osman, Duale, Gedi, Guleid, Elmi, Nur, Noor, Said, Hirsi, Yonis, Barre, Awale, Bulle, "
            "Abdille, Mire"
        ),
    ),
    "Syrian": (
        _split(
            "Mohammad, Ahmad, Khaled, Omar, Mahmoud, Ali, Hussam, Bashar, Rami, Fadi, Samer, Tarek, Ammar, "
            "Firas, Wael, Yaser, Majd, Rafat, Ziad, Basel, Hamza, Nabil, Osama, Ayham, Mazen, Ghaith, Anas, "
            "Moaz, Louay, Jamil"
        ),
        _split(
            "Rasha, Hala, Dima, Rima, Ghada, Aya, Yara, Rawan, Hiba, Maya, Lina, Amal, Razan, Suha, Huda, "
            "Nisreen, Bushra, Alaa, Ruba, Mais"
        ),
        _split(
            "Al-Ali, Al-Hussein, Al-Omar, Al-Masri, Al-Halabi, Al-Shami, Hamdan, Khoury, Nasser, Saleh, Youssef, "
            "Ibrahim, Hassan, Mansour, Qassem, Al-Sayed, Issa, Hamoud, Othman, Sabbagh, Atassi, Kabbani, Jaber, "
            "Bakour, Kurdi, Al-Jasem, Rifai, Zein, Habib, Dib"
        ),
    ),
    "Iranian": (
        _split(
            "Ali, Reza, Hossein, Mehdi, Amir, Hamid, Saeed, Majid, Behzad, Farhad, Arash, Babak, Dariush, Ehsan, "
            "Farshid, Hadi, Javad, Kamran, Kourosh, Mohsen, Navid, Payam, Pouya, Ramin, Shahin, Siavash, Vahid, "
            "Yousef, Peyman, Afshin"
        ),
        _split(
            "Maryam, Fatemeh, Leila, Mina, Neda, Parisa, Roya, Sara, Shirin, Soheila, Azadeh, Bahar, Elham, "
            "Farah, Golnaz, Homa, Mahsa, Nazanin, Sepideh, Yasaman"
        ),
        _split(
            "Ahmadi, Hosseini, Mohammadi, Rezaei, Karimi, Hashemi, Mousavi, Ghasemi, Rostami, Heidari, Akbari, "
            "Ebrahimi, Nazari, Bagheri, Amini, Asadi, Zamani, Soltani, Shahbazi, Tehrani, Rahmani, Azizi, "
            "Ghorbani, Salehi, Mirzaei"
        ),
    ),
    "Eritrean": (
        _split(
            "Tesfay, Habtom, Filmon, Biniam, Kidane, Semere, Tekle, Ghirmay, Merhawi, Abel, Daniel, Yohannes, "
            "Henok, Efrem, Berhane, Amanuel, Haile, Mussie, Sirak, Tewelde, Teklit, Medhanie, Kibrom, Natnael, "
            "Awet, Goitom, Okbay"
        ),
        _split(
            "Helen, Senait, Luwam, Hiwet, Selam, Ruta, Saba, Freweyni, Feven, Lidya, Mebrat, Tsega, Yordanos, "
            "Winta, Eden, Aster, Rahel, Simret, Milena, Hanna"
        ),
        _split(
            "Tekle, Berhane, Kidane, Gebremichael, Habte, Woldemichael, Asmerom, Tewolde, Yohannes, Andemariam, "
            "Ghebreyesus, Tesfay, Weldu, Abraha, Okbazghi, Fessehaye, Kahsay, Mengistu, Zerai, Negash, Hagos, "
            "Ghirmay, Solomon, Bahta, Teklehaimanot, Measho"
        ),
    ),
    "Afghan": (
        _split(
            "Ahmad, Mohammad, Abdul, Ali, Hamid, Rahim, Karim, Naveed, Farid, Jawad, Omid, Sohrab, Wahid, "
            "Zabihullah, Rahmatullah, Hekmatullah, Sayed, Bilal, Haroon, Mirwais, Najib, Qais, Rashid, "
            "Samiullah, Shafiq, Sultan, Tamim, Yama, Zalmay, Ajmal"
        ),
        _split(
            "Fatima, Zahra, Mariam, Nazila, Parwana, Shabnam, Soraya, Farzana, Khatera, Laila, Mursal, Nilofar, "
            "Roya, Sahar, Shukria, Tahmina, Wahida, Zarghona, Freshta, Hadia"
        ),
        _split(
            "Ahmadzai, Popal, Stanikzai, Karimi, Rahimi, Safi, Noori, Sultani, Hakimi, Amiri, Wardak, Mohammadi, "
            "Hussaini, Jalali, Rahmani, Azizi, Durrani, Barakzai, Yusufzai, Khan, Haidari, Shinwari, Sharifi, "
            "Niazi, Zaheer, Mangal, Nazari, Sadat, Taheri, Hotak"
        ),
    ),
    "Pakistani": (
        _split(
            "Ali, Ahmed, Hassan, Zubair, Naveed, Junaid, Arshad, Javed, Irfan, Khalid, Rizwan, Shahzad, Sohail, "
            "Tahir, Yasir, Zahid, Haroon, Aamir, Fahad, Hamza, Noman, Saqib, Umar, Waseem, Ashfaq, Mubashir, "
            "Qasim, Rehan, Shoaib, Tanveer"
        ),
        _split(
            "Ayesha, Fatima, Hina, Maryam, Nadia, Rabia, Sadia, Shazia, Sobia, Uzma, Zainab, Amina, Bushra, "
            "Fozia, Kiran, Mehwish, Nabila, Rukhsana, Tahira, Hira"
        ),
        _split(
            "Qureshi, Siddiqui, Sheikh, Mirza, Abbasi, Baig, Bhatti, Dar, Gill, Hashmi, Jamil, Kazmi, Latif, "
            "Mughal, Naqvi, Rana, Saeed, Tariq, Zaidi, Awan, Bukhari, Ghani, Hanif, Ishaq, Karim, Nawaz, Rafiq, "
            "Sadiq, Yousaf"
        ),
    ),
}
