/**
 * Common given names and surnames across cultures, written for this project from general knowledge
 * (popular-name and frequent-surname rankings as commonly known; no dataset was harvested). Keys are
 * folded (lower case, no diacritics, ß→ss, ø→o…), so `José`, `Jose` and `JOSÉ` meet the same entry.
 *
 * A name that is also an everyday word, a place, a brand or a software name (`Grace`, `Victoria`,
 * `Ruby`, `Alexa`) is AMBIGUOUS: it counts only next to another name, never alone.
 */

const GIVEN_NAMES = `
  mary patricia jennifer linda elizabeth barbara susan jessica sarah karen nancy lisa betty margaret sandra ashley kimberly
  emily donna michelle dorothy carol amanda melissa deborah stephanie rebecca sharon laura cynthia kathleen amy shirley angela
  helen anna brenda pamela nicole samantha katherine christine debra rachel catherine carolyn janet ruth maria heather diane
  julie joyce olivia kelly christina lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline frances teresa
  kathryn sara janice alice abigail judy denise marilyn beverly danielle theresa sophia marie diana brittany natalie isabella
  alexis kayla tiffany courtney erin erica allison alyssa brianna caitlin kaitlyn katie kristen kristin lindsay lindsey whitney
  vanessa veronica monica tracy tammy tina wendy kristina kathy sherry sheila stacy stacey tara yvonne carla colleen connie dana
  leah meghan molly paige brooke haley hailey mackenzie madeline madeleine chloe zoe zoey lillian addison aubrey ella avery
  scarlett aria mia ava harper layla riley nora penelope eleanor claire audrey lucy naomi eliza gabriella gabrielle alexandra
  jocelyn jillian gillian imogen phoebe harriet beatrice matilda freya isla evie millie rosie abbie amelia leanne kerry kirsty
  gemma hayley siobhan sinead aoife niamh ciara orla saoirse roisin maeve bridget fiona moira morag eilidh catriona mhairi
  bethany carys cerys ffion rhiannon seren sian gwen gwendolyn nia marjorie mildred gladys edna ethel agnes irene louise mabel
  myrtle norma phyllis rita sylvia thelma wilma bernadette darlene elaine gail geraldine janine jeanette joanne josephine lois
  loretta lucille marion marlene maureen pauline peggy roberta shannon sonia sonya suzanne valerie yolanda jenna jenny jennie
  kate kimberley krystal lacey lesley leslie mandy marcia melinda melanie meredith miranda natasha nadia noelle renee sabrina
  shelby sheryl tanya tonya trisha ursula vicki vickie vivian yvette alison annette adrienne alicia angelica angie anita annie
  antoinette beth bonnie candace carrie cathy charlene christy cindy claudia corinne delia della eileen elena ellen elsie
  esther eva eve faye gina heidi hilda ida ingrid isabel jackie jane janie jeanne jill joann jodi jody josie juanita kara karina
  karla katrina kristi kristy latoya lena lila lola lora lori lorna lucia lydia lynda mae marcella margarita marguerite maxine
  minnie miriam mona nellie nina nichole olga priscilla rachael ramona rhonda rochelle sally sherri sophie stacie susie tamara
  tami tasha teri terri toni tricia trudy velma verna viola wanda winifred yesenia shauna shawna keisha tanisha ebony aaliyah
  jada imani kiara nevaeh makayla mariah kendra katelyn kaylee kylie sydnee jordyn brooklynn peyton kennedy reagan
  hillary hilary meryl juliet juliette rosalind rosalyn ophelia cordelia philippa henrietta georgina antonia octavia cecily
  lucinda arabella annabel annabelle clementine marianne suzanna susanna deirdre eloise estelle francesca lorena lucille
  alex sasha kelsey carly casey jamie kristopher cristopher christoper jonathon johnathan jonathon nathanael nathaniel
  deanna dianna shari sheri kelli kellie kari jodie kristine kristen christen trina gretchen brandi brandie tonia tonya meagan
  megane meaghan jaime jayme lacy lacie kaylin kaitlin katelynn caitlyn kaitlynn cathryn kathrine katharine kathryne
  jillian jill ashlee ashleigh ashlyn brittney britney britany brittani chelsey chelsie lindsie jenifer jeniffer
  sara sarah sarai zachery zackary jeffery geoffrey jeff jefferson stephan steven stevie philip phillip phil
  micheal mikel mitchel marcus markus mathew matthias mathias tomas thom rick ricky rickey vince vinnie nikki nicki
  erika ericka erik eric rebekah rebeca becky becki vicky vicki vickie nicky mikey mickey ricardo bobbie

  james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony donald steven paul
  andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen
  larry justin scott brandon benjamin samuel gregory alexander patrick raymond dennis jerry tyler aaron jose adam nathan henry
  douglas zachary peter kyle ethan walter noah jeremy keith roger terry sean gerald carl harold dylan arthur lawrence jesse bryan
  billy bruce gabriel logan alan juan albert willie elijah wayne randy vincent roy ralph bobby russell bradley philip louis harry
  howard travis shawn shane cody derek dustin trevor troy marcus mitchell craig curtis darren darrell derrick duane dwayne
  edwin fred frederick gordon herbert jimmy joel johnny jon leonard leroy lloyd luis luke manuel martin melvin micheal mike
  neil norman oliver owen phillip randall ricky rodney ronnie ross seth stanley steve stuart theodore todd tom victor warren
  wesley allen alfred alvin andre andy barry ben bernard blake brad brett caleb calvin cameron carlos cecil charlie chester
  chris clarence clifford clinton clyde colin connor corey cory danny darryl dave devin dominic donnie eddie edgar elliott elmer
  emmanuel ernest evan everett felix floyd francis franklin garrett gavin geoffrey gilbert glenn harvey hector herman hugh ian
  isaac isaiah ivan jake jared jay jeff jeffery jerome jim jimmie joey jonathon julian julius kirk kurt leo leon lewis lonnie
  lucas malcolm marc mario marvin maxwell micah miguel milton morris nathaniel neal nelson nick nicolas norris omar otis pedro
  percy perry pete preston quentin ramon randolph reginald ricardo rick robbie roberto roland ron rudolph rufus sam sammy sidney
  simon stewart sylvester ted terrence terrance tim toby tommy tristan vernon wallace wilbur willard xavier zack archie alfie
  angus callum declan eoin fergus finlay finn hamish kieran liam lachlan niall oisin ronan rory seamus cian conor cathal padraig
  darragh euan ewan rhys gareth dafydd owain iwan emrys aled huw idris ieuan alistair alasdair duncan graeme graham iain
  brendan colm donal fintan killian reuben rupert sebastian theo jasper edmund barnaby benedict clive cyril desmond giles
  godfrey humphrey leopold lionel montague nigel percival roderick rowan silas tobias vaughan wilfred ezra asher caden jayden
  aiden brayden landon carson grayson easton jaxon colton bentley ryder axel jace brody levi josiah ezekiel jeremiah nehemiah
  gideon abraham moses solomon elias eli jonah zane tanner trent bryce chandler dalton dawson harrison holden jensen kendall
  quinn reid rhett sawyer weston wyatt darnell deshawn deandre jamal jamar jermaine tyrone terrell marquis malik rashad reggie
  antoine cedric dante darius demetrius donnell dwight jalen jaylen kareem lamar lamont marlon maurice quincy roderick tavon
  trey tremaine mason carter taylor parker spencer

  alejandro alberto alfonso alvaro andres antonio armando arturo benito cesar cristian cristobal diego eduardo emilio enrique
  esteban federico felipe fernando francisco gerardo gonzalo guillermo gustavo hernan ignacio jaime javier jesus joaquin jorge
  julio leonardo lorenzo marcos mariano mateo matias mauricio octavio oscar pablo rafael ramiro raul rodrigo ruben sebastian
  sergio tomas vicente agustin bruno emiliano facundo joaquim joao thiago tiago goncalo rui duarte afonso henrique leandro
  marcelo marcio paulo rogerio sandro vinicius caio renato fabio flavio adriana alejandra ana beatriz camila carolina catalina
  cristina daniela fernanda florencia gabriela graciela guadalupe ines isabela josefina juana leticia lorena luisa manuela
  mariana micaela natalia noelia paula paola raquel rosario silvia sofia susana valentina valeria ximena aline bruna francisca
  joana larissa luana rafaela tatiana thais vitoria conceicao graca fatima

  jean pierre jacques michel philippe alain christophe didier dominique etienne francois frederic georges gerard guillaume henri
  herve jerome julien laurent luc mathieu maxime olivier patrice raphael rene sebastien serge stephane sylvain thierry yves yann
  yannick arnaud aurelien baptiste benoit bertrand clement damien fabien florian gilles gregoire lucien marcel mathis quentin
  remi romain thibault jean-pierre jean-luc jean-claude jean-paul jean-marc jean-francois jean-michel jean-baptiste jean-louis
  jean-jacques anne amelie aurelie brigitte camille caroline cecile celine chantal christelle claudine colette delphine elise
  elodie emilie francoise genevieve helene isabelle josiane laetitia laurence lea lucie manon margaux marine martine mathilde
  michele monique nathalie oceane odile pascale sandrine simone solene stephanie sylvie valerie veronique virginie clemence
  chloe leonie maelle noemie ophelie anne-marie marie-claire marie-france marie-christine

  andreas bernd christian dieter dirk friedrich fritz georg gerhard gunter gunther hans heinrich heinz helmut horst jens joachim
  jorg jurgen klaus lars lukas manfred markus matthias niklas norbert olaf ralf reinhard rolf rudolf stefan steffen sven
  thorsten torsten udo ulrich uwe volker werner wolfgang wilhelm ludwig ernst konrad bernhard detlef egon gottfried hannes
  hermann jannik jonas leon maximilian moritz nils oskar philipp timo anke anja annika birgit gabriele gisela gudrun heike helga
  hildegard ilse inge jutta karin katrin kerstin leonie monika petra renate sabine silke sonja stefanie susanne tanja ulrike ute
  waltraud wiebke franziska johanna katharina magdalena mareike svenja greta frieda lotte pieter piet joost jeroen bram daan
  thijs ruud maarten wouter willem hendrik henk kees koen niels rutger sander stijn gijs floris marieke femke anouk sanne fleur
  saskia mieke anneke annelies els eline lieke sofie lisanne bjorn erik gustav gustaf henrik ingvar johan magnus mats mikael
  olof per rasmus stig torbjorn ulf anders einar emil fredrik gunnar hakan jesper kjell leif linus ludvig pontus rune trond
  oyvind knut sigurd ragnar arne bjarne geir halvard jorgen morten soren thorvald anette astrid birgitta britt elin elsa frida
  gunilla inger linnea malin margareta maja marit sigrid solveig ylva asa agnetha cecilia ebba freja liv signe tove tuva vilde
  helle mette pernille lone dorthe rikke

  aino eino eero ilkka jari juha jukka kalle kari lauri markku matti mikko pekka petri sami seppo tapio tuomas veikko ville
  antti heikki janne jussi kimmo mika olli pentti risto sakari teemu aleksi eetu joonas leevi aapo helmi heli katja kirsi
  leena liisa maija marja merja minna niina paivi pirjo riikka sanna satu sirpa suvi tiina tuula eija elina emmi iida jenni
  kaisa milla noora oona saara sari tarja venla eveliina kadri kaja liis piret tiiu triin juhan tonu urmas priit peeter rein
  gudmundur sigurdur olafur kristjan stefan johann arni helgi thordur halldor sveinn hallgrimur bjarni david gudrun sigridur
  kristin margret sigrun ingibjorg ragnheidur hildur thorunn asta bjork solveig

  andrzej bartosz dariusz grzegorz jakub janusz jaroslaw jerzy jozef kamil krzysztof lukasz maciej marcin marek mariusz mateusz
  michal pawel piotr rafal slawomir stanislaw szymon tadeusz tomasz wieslaw wojciech zbigniew zdzislaw boguslaw czeslaw
  kazimierz leszek miroslaw ryszard waldemar agnieszka alicja beata bozena danuta dorota elzbieta ewa grazyna halina iwona
  jadwiga joanna justyna katarzyna krystyna malgorzata renata urszula weronika zofia zuzanna jolanta kinga paulina sylwia
  wioletta izabela emilia oliwia jiri jaroslav miroslav petr pavel tomas lukas ondrej vojtech zdenek vaclav karel vladimir
  frantisek radek libor ladislav bohumil jana hana lenka katerina vera alena veronika marketa tereza zdenka jarmila ludmila
  vlasta dagmar ivana barbora klara sarka michaela jan stefan marian lubomir zuzana katarina janez marko luka matej nejc ziga
  tilen ales bostjan gregor primoz andrej mojca spela tjasa urska natasa mateja ivo ante josip tomislav zoran dragan goran
  darko dejan nenad milos nikola djordje branko milorad miodrag slobodan predrag dusan marija jelena milica dragana snezana
  vesna svetlana tijana jovana mirjana biljana gordana danijela sanja ljiljana dimitar georgi hristo stoyan todor nikolay petar
  krasimir plamen yordan lyubomir ivanka mariya desislava gergana radka tsvetelina aleksandr alexei alexey aleksey anatoly
  andrei andrey anton arkady artem artyom bogdan boris dmitri dmitry evgeny yevgeny fyodor gennady georgy grigory igor ilya
  kirill konstantin leonid maksim maxim mikhail nikita nikolai oleg pyotr ruslan semyon sergei sergey stanislav stepan timur
  vadim valentin valery vasily viktor vitaly vladislav vyacheslav yaroslav yuri yury zakhar alina alla anastasia anastasiya
  angelina antonina darya daria ekaterina yekaterina yelena elizaveta galina inna irina kira larisa lyudmila natalya nadezhda
  oksana polina raisa tatyana ulyana varvara viktoria yulia yuliya zinaida zoya mykola oleksandr oleksiy petro taras volodymyr
  yuriy andriy serhiy vasyl dmytro bohdan ostap olena halyna kateryna nataliya iryna khrystyna solomiya

  laszlo istvan janos zoltan sandor ferenc gabor attila peter tibor zsolt lajos tamas balazs csaba gyula imre karoly mihaly
  miklos denes bence levente akos marton agnes aniko edit erzsebet ildiko judit katalin krisztina marta piroska szilvia zsofia
  zsuzsanna eszter orsolya reka dora boglarka gheorghe ion ioan vasile constantin mihai alexandru florin marius nicolae ovidiu
  radu razvan sorin adrian catalin ionut mircea dumitru ioana andreea mihaela raluca roxana simona oana corina georgeta
  florentina georgios giorgos konstantinos dimitrios ioannis nikolaos panagiotis vasileios christos athanasios evangelos
  michail spyridon stavros theodoros kostas yannis nikos dimitris eleni aikaterini vasiliki angeliki dimitra despina eirini
  panagiota paraskevi theodora mehmet mustafa ahmet huseyin hasan ibrahim murat omer osman yusuf emre burak cem emin engin eren
  erkan ercan fatih hakan halil kemal kerem levent orhan recep selim serkan sinan tolga tuncay volkan yasin yigit ayse fatma
  emine hatice zeynep elif merve busra ozlem esra derya gulsen hulya melek meltem sevgi songul tugba yasemin ebru asli ece pinar
  sibel seda defne ceren

  alessandro alessio angelo carlo claudio daniele dario davide domenico emanuele enrico enzo fabrizio filippo francesco franco
  gabriele giacomo gianluca gianni giorgio giovanni giulio giuseppe giuliano luca luciano luigi marcello marco massimo matteo
  maurizio nicola paolo pasquale pietro raffaele riccardo rocco salvatore stefano tommaso umberto valerio vincenzo vittorio
  alessandra alessia antonella caterina daniela eleonora elisa elisabetta emanuela federica giada giorgia giovanna giulia
  ilaria martina michela patrizia raffaella rossella stefania

  mohammed muhammad mohamed mohammad mohamad ahmad ahmed omar umar hassan hussein hussain husain ismail khalid khaled mahmoud
  mahmud mostafa abdullah abdallah abdul abdulrahman abdelrahman youssef yousef karim kareem tariq tarek samir nabil walid
  waleed faisal fahad fahd hamza bilal anas amir ameer nasser naser rashid saeed salim salem yasser yasir ziad zayed adel adil
  ayman basel bassam emad imad fadi fouad ghassan hani hisham issa jibril kamal majid marwan mazen munir nadim osama qasim rami
  riyad saad sabir tamer wael yahya zaid zakaria fatimah aisha aysha ayesha khadija maryam mariam zainab zaynab amina aminah
  leila laila noor nour hana huda iman jamila lina rania rana reem salma samira yasmin yasmine yasmeen zahra dina farah ghada
  hanan heba lamia maha manal nawal rasha rawan ruqayya safiya sahar samar suha wafa dalia soraya shirin shireen parisa
  fereshteh mahnaz nasrin roya golnar ladan niloufar reza mehdi hamid hossein dariush farhad farid kaveh kourosh navid omid
  payam ramin behrouz babak arash ardeshir bahram javad mohsen morteza nima pouya siavash yosef yitzhak avraham moshe yaakov
  shlomo eitan itai noam yonatan yoav amit asaf boaz dov ido lior nadav ronen tomer yair yuval shira tamar yael efrat hila liat
  merav naama orly osnat rivka sarit shani yonit ayelet chaya chana devorah

  chukwuemeka chinedu chidi emeka ikenna obinna nnamdi uchenna chiamaka chioma ngozi adaeze nkechi ifeoma amaka oluwaseun
  olumide adebayo babatunde ayodele folasade funmilayo yetunde temitope titilayo abimbola adeola adewale akinwale femi tunde
  segun kunle kwame kofi kwaku kwabena yaw kojo kwesi akosua abena adwoa efua afua akua kamau wanjiru wambui njeri otieno
  odhiambo ochieng achieng akinyi atieno kiprono chebet zawadi amani neema rehema tendai tatenda farai tafadzwa thabo sipho
  themba bongani lungile nomvula thandiwe zanele lerato kagiso mandla sibusiso ayanda busisiwe nokuthula thulani abebe tadesse
  tesfaye mulugeta girma alemayehu dawit yohannes selam tsion meron hirut mekdes amadou mamadou moussa ousmane ibrahima cheikh
  abdoulaye boubacar seydou aminata fatoumata mariama aissatou kadiatou coumba

  aarav abhishek aditya ajay akash anand anil ankit anuj arjun arun arvind ashish ashok deepak dinesh ganesh gaurav harish
  hemant jatin karan kartik kunal lalit mahesh manish manoj mohan mukesh naveen neeraj nikhil nitin pankaj pradeep prakash
  pranav prashant rahul rajesh rajiv rakesh ramesh ravi rohan rohit sachin sandeep sanjay santosh satish shankar shashi shyam
  siddharth sunil suresh tarun uday varun vijay vikas vikram vinay vinod vishal vivek yogesh aaradhya aishwarya ananya anjali
  ankita anushka aparna archana bhavna deepa deepika divya gayatri geeta gita indira isha jyoti kavita kavya kirti lakshmi
  madhuri meena meera megha neha nisha pallavi pooja priya priyanka radha rashmi rekha ritu sakshi sangeeta sapna saraswati
  seema shalini shilpa shreya shweta smita sneha sonal sunita swati tanvi usha vandana vidya aarti harpreet gurpreet jaspreet
  manpreet simran navjot gurdeep jasvinder balwinder harjit kuldeep ranjit sukhwinder imran irfan asif arif junaid kashif
  nadeem naveed rizwan salman shahid tahir usman waqar zubair zeeshan bushra hina mehwish rabia saima shazia uzma farhan tanvir
  rafiq shafiq anwar kamrul habib nusrat lakmal chaminda nuwan dilshan sanjeewa tharindu

  xiaoming xiaoyan jiahui junjie haoran yuxuan zixuan yichen yiming mingxuan jiayi xinyi yuting yuqi zhiwei zihan jingjing
  hiroshi takashi kenji yuki haruto sota yuto riku daiki kaito takumi hayato kenta shota takeshi satoshi kazuki ryota daisuke
  makoto akira kazuo koji masato naoki tetsuya yusuke hideki hiroki ichiro jiro kaori yui yuna sakura haruka ayaka misaki
  nanami yuka megumi keiko yoko akiko emiko hiroko kazuko kumiko mariko michiko noriko sachiko tomoko yumi yukiko asuka chihiro
  miyu natsuki shiori minjun seojun jiho doyun jihun minseo seoyeon jiwoo seoyun jiyeon minji soyeon hyejin eunji jisoo jimin
  jiwon sungmin dongho jaehyun junho minho seungho youngho sangwoo sunghoon hyunwoo yejin haeun soojin minseok nguyet thanh
  phuong huong quynh khanh trang thuy hieu cuong somchai somsak siriporn nattapong pornchai thanawat kittisak

  иван александр алексей андрей дмитрий сергей михаил николай владимир павел пётр петр юрий евгений игорь олег максим
  артём константин виктор борис василий фёдор григорий анна мария елена ольга наталья татьяна ирина светлана екатерина
  юлия анастасия дарья марина людмила галина надежда ксения софья алёна оксана тарас богдан остап олена
  γιώργος γεώργιος νίκος νικόλαος κώστας κωνσταντίνος γιάννης ιωάννης δημήτρης δημήτριος παναγιώτης χρήστος μαρία ελένη
  αικατερίνη κατερίνα σοφία δήμητρα αναστασία
`;

/** Given names that are also words, places, brands or software: they need another name beside them. */
const AMBIGUOUS_GIVEN = `
  grace amber crystal rose ruby ivy daisy hazel violet iris lily holly dawn joy hope faith charity patience summer autumn winter
  june april may august pearl opal jade ginger honey sunny sky skye river rain storm destiny harmony melody heaven haven eden
  genesis trinity serenity liberty justice chance precious misty candy sandy brandy penny kitty mercy sage willow olive rosemary
  robin wren lark dove raven virginia georgia carolina madison savannah sydney victoria florence charlotte regina adelaide
  augusta austin jordan dallas houston denver phoenix orlando eugene lincoln jackson paris london brooklyn chelsea sierra
  dakota montana cheyenne siena vienna aurora stella bella nova luna star kay jo sue pat ann jean joan lynn dolores mercedes
  carmen alexa siri claude julia ada pascal cassandra jasmine hugo django jenkins tony emmy victor major earl duke prince
  princess king baron rex guy will mark frank bill jack max ray rob bob don dean drew chase hunter cash grant miles rich bud
  buddy sonny art gene glen dale clay reed wade cliff rocky forrest stone heath lance brook brooks pierce price young page hall
  bell chad israel india asia china kenya tennessee nevada lorraine felicity constance prudence verity unity noel marina angel
  sol luz paz cruz rosa clara blanca bianca chiara vera linda alma pilar gloria estrella paloma celeste serena felice dulce
  esperanza soledad consuelo amparo rocio milagros nieves reyes santos flor violeta perla cielo marisol angeles lourdes tesla
  sterling royal ace blaze maverick ranger archer cooper athena apollo diana dan van kim lee ken jan sam
  wei jie jun hao hui ming lei yan xin ying yu yun jing fang hong hua jian jin lin mei ping qiang tao xiao xiu yang yong zhen
  zhi bo chao cheng dong feng gang guang hai kai lan long na peng qing rui shan tian ting wen xue yi ren sho mai rin eri son nam
  duc bao hoa huy tung anh binh hung linh minh ngoc quang thu trung tuan viet vinh xuan hyun aoi mio hina kana saki dev raj
  rani asha shanti shiv krishna madhu amrit nana ama yaa esi baraka juma imani tal gil ori uri ziv avi maya noa michal keren
  ariel dara cyrus nur gul can deniz otto per liv else eve carol milan adam santiago salvador troy chester petri lea
`;

const SURNAMES = `
  smith johnson williams brown jones miller davis wilson anderson taylor thomas moore jackson martin white harris thompson
  garcia martinez robinson clark rodriguez lewis lee walker hall allen young hernandez king wright lopez hill scott green adams
  baker gonzalez nelson carter mitchell perez roberts turner phillips campbell parker evans edwards collins stewart sanchez
  morris rogers reed cook bell murphy bailey rivera cooper richardson cox howard ward torres peterson gray ramirez james watson
  brooks kelly sanders price bennett wood barnes ross henderson coleman jenkins perry powell long patterson hughes flores
  washington butler simmons foster gonzales bryant alexander russell griffin diaz hayes myers ford hamilton graham sullivan
  wallace woods cole west jordan owens reynolds fisher ellis harrison gibson mcdonald cruz marshall ortiz gomez murray freeman
  wells webb simpson stevens tucker porter hunter hicks crawford henry boyd mason morales kennedy warren dixon ramos reyes burns
  gordon shaw holmes rice robertson hunt black daniels palmer mills nichols grant knight ferguson rose stone hawkins dunn
  perkins hudson spencer gardner stephens payne pierce berry matthews arnold wagner willis ray watkins olson carroll duncan
  snyder hart cunningham bradley lane andrews ruiz harper fox riley armstrong carpenter weaver greene lawrence elliott chavez
  sims austin peters kelley franklin lawson fields gutierrez ryan schmidt carr vasquez castillo wheeler chapman oliver
  montgomery richards williamson johnston banks meyer bishop mccoy howell alvarez morrison hansen fernandez garza harvey little
  burton stanley nguyen george jacobs reid fuller lynch dean gilbert garrett romero welch larson frazier burke hanson day
  mendoza moreno bowman medina fowler brewer hoffman carlson silva pearson holland douglas fleming jensen vargas byrd davidson
  hopkins may terry herrera wade soto walters curtis neal caldwell lowe jennings barnett graves jimenez horton shelton barrett
  obrien castro sutton gregory mckinney lucas miles craig chambers holt lambert fletcher watts bates hale rhodes pena beck
  newman haynes mcdaniel mendez bush vaughn parks dawson santiago norris hardy love steele curry powers schultz barker guzman
  page munoz ball keller chandler weber leonard walsh lyons ramsey wolfe schneider mullins benson sharp bowen barber cummings
  hines baldwin griffith valdez hubbard salazar reeves warner stevenson burgess santos tate cross garner mann mack moss
  thornton mcgee farmer delgado aguilar vega glover manning cohen harmon rodgers robbins newton todd blair higgins ingram reese
  cannon strickland townsend potter goodwin walton rowe hampton ortega patton swanson goodman maldonado yates becker erickson
  hodges rios conner adkins webster malone hammond flowers cobb moody quinn blake maxwell pope floyd osborne mccarthy guerrero
  estrada sandoval gibbs gross fitzgerald stokes doyle sherman saunders wise gill alvarado greer padilla waters nunez ballard
  schwartz mcbride houston christensen klein pratt briggs parsons mclaughlin zimmerman french buchanan moran copeland pittman
  brady mccormick holloway brock poole marsh drake wong jefferson park morton abbott sparks norton huff clayton massey lloyd
  figueroa bowers roberson barton tran lamb harrington casey boone cortez clarke mathis singleton wilkins cain underwood hogan
  mckenzie collier phelps mcguire bridges wilkerson nash summers atkins wilcox pitts conley marquez burnett cochran davenport
  hood gates ayala sawyer vazquez dickerson hodge acosta flynn espinoza nicholson monroe wolf morrow kirk whitaker oconnor
  skinner molina kirby huffman bradford gilmore dominguez oneal lang combs kramer hancock gallagher gaines shaffer wiggins
  mathews mcclain fischer melton hensley bond dyer grimes contreras baxter mosley shepherd larsen hoover beasley petersen
  whitehead meyers garrison shields savage olsen schroeder hartman woodard mueller kemp deleon booth patel calhoun wiley eaton
  cline navarro harrell lester humphrey parrish duran hutchinson hess dorsey bullock robles beard dalton avila blackwell
  blankenship trevino salinas campos pruitt callahan montoya hardin guerra mcdowell stafford gallegos henson wilkinson merritt
  atkinson decker hobbs tanner pacheco stephenson rojas serrano hickman sweeney mcclure conway roth maynard farrell lowery hurst
  nixon weiss trujillo ellison sloan juarez mclean boyer villarreal mccall gentry carrillo ayers sexton hull leblanc browning
  velasquez leach chang herring foley bartlett mercado landry durham barr mckee bauer bradshaw pugh velez dodson morse sheppard
  camacho barron livingston middleton spears blevins chen kerr mcconnell hatfield harding solis blackburn pennington woodward
  finley mcintosh koch solomon mccullough dudley nolan blanchard rivas brennan mejia benton buckley maddox russo mcknight
  mcmillan crosby dotson roach richmond meadows faulkner oneill knapp kline ochoa jacobson hendricks shepard hebert cardenas
  mcintyre waller holman donaldson cantu morin gillespie fuentes tillman sanford bentley peck rollins dickson cabrera cervantes
  hinton hurley spence zamora yang mcneil suarez gould mcfarland sampson carver rosario macdonald hester melendez dillon farley
  hopper galloway potts joyner stein aguirre osborn mercer bender franco rowland sykes pickett sears dunlap hayden wilder mckay
  coffey mccarty ewing cooley vaughan bonner holder ferrell cantrell fulton calderon pollard hooper burch mullen riddle levy
  odonnell daugherty berger dillard alston jarvis frye riggs chaney odom duffy fitzpatrick valenzuela merrill mayer alford
  mcpherson acevedo donovan barrera reilly compton mooney mcgowan cleveland clemons wynn nielsen baird stanton snider rosales
  witt hays rutledge kinney clements castaneda slater hahn emerson conrad burks delaney lancaster tyson sharpe whitfield talley
  macias irwin burris ratliff mccray madden kaufman goff bolton mcfadden levine byers kirkland kidd workman carney mcleod
  holcomb hendrix sosa haney sargent rasmussen hewitt foreman valencia vinson dejesus hyde forbes gilliam guthrie wooten huber
  barlow boyle mcmahon buckner rocha puckett langley knowles cooke velazquez whitley

  blanco calvo gallego iglesias lozano prieto pascual vidal soler cano marin sanz hidalgo nieto caballero rubio moya diez
  crespo garrido ibarra benitez cortes escobar paredes bravo cordero quintero villanueva rosales arias oliveira souza sousa
  costa ferreira pereira almeida carvalho gomes ribeiro martins barbosa lima araujo teixeira correia mendes nascimento cardoso
  moreira monteiro pinto fonseca machado lopes dias fernandes cunha vieira freitas cavalcanti batista rodrigues marques reis
  azevedo barros coelho magalhaes guimaraes nogueira tavares pires brandao antunes neves matos medeiros duarte peixoto

  muller schmidt schneider fischer weber meyer meier wagner becker schulz hoffmann schafer koch bauer richter klein schroder
  neumann schwarz zimmermann braun kruger hofmann hartmann lange schmitt werner schmitz krause lehmann schmid schulze maier
  kohler herrmann konig walter mayer huber kaiser fuchs scholz moller weiss jung hahn schubert vogel friedrich keller gunther
  berger winkler roth lorenz baumann franke albrecht schuster ludwig bohm kraus schumacher kramer vogt jager seidel heinrich
  brandt haas schreiber graf schulte dietrich ziegler kuhn pohl engel busch bergmann voigt sauer wolff pfeiffer jong jansen
  vries dijk bakker janssen visser smit meijer boer mulder groot bos vos hendriks leeuwen dekker brouwer wit dijkstra smits
  graaf kok haan vermeulen heuvel veen broek bruijn bruin heijden schouten beek willems vliet hoekstra maas verhoeven koster
  prins blom huisman peeters maes mertens claes goossens wouters dubois dupont lindberg lindqvist lindgren lundberg lundqvist
  nystrom holm sandberg nordstrom ekstrom forsberg sjoberg wallin engstrom lundgren hedlund haugen hagen dahl moen strand
  solberg eide bakken moller laine niemi heikkila makela salo mattila kallio nurmi anttila koivisto seppala lindholm

  rossi russo ferrari esposito bianchi romano colombo ricci marino greco gallo conti giordano mancini rizzo lombardi
  moretti barbieri fontana santoro mariani rinaldi caruso ferrara galli leone longo gentile vitale lombardo serra coppola
  marchetti parisi conte ferraro ferri fabbri marini grasso valentini messina gatti pellegrini palumbo sanna farina rizzi monti
  cattaneo morelli amato silvestri mazza grassi pellegrino carbone giuliani benedetti barone caputo montanari palmieri
  bernardi martino fiore ferretti basile donati piras vitali battaglia sartori neri costantini milani pagano ruggiero
  sorrentino damico negri

  bernard durand leroy moreau laurent lefebvre bertrand roux fournier morel girard andre lefevre mercier lambert bonnet legrand
  garnier faure rousseau blanc guerin roussel perrin gauthier dumont fontaine chevalier masson lemaire duval joly gautier
  roche meunier marchand dufour blanchard barbier brun dumas brunet leroux renard rolland caron aubert giraud leclerc bourgeois
  renaud lemoine picard gaillard leclercq lacroix fabre dupuis guillot riviere fleury deschamps carpentier maillard aubry
  vasseur renault jacquet collet prevost poirier charpentier royer huet dupuy perrot guyot

  nowak wojcik kowalczyk wozniak mazur krawczyk kaczmarek zajac krol wieczorek wrobel stepien adamczyk dudek pawlak walczak
  sikora baran michalak szewczyk pietrzak duda novak svoboda novotny dvorak cerny prochazka kucera vesely horak nemec pokorny
  pospisil hajek jelinek kral ruzicka benes fiala sedlacek dolezal zeman kolar navratil cermak vanek blazek kriz kovar bartos
  vlcek polak musil kopecky simek konecny holub stepanek stanek kadlec dostal soukup stastny mares moravec sykora tichy valenta
  vavra matousek blaha riha sevcik bures hruska masek pavlik janda hruby nagy kovacs toth szabo horvath varga kiss molnar
  nemeth farkas balogh papp takacs juhasz lakatos meszaros olah racz fekete szilagyi torok feher gal szucs kocsis pinter fodor
  szalai sipos lukacs gulyas biro kiraly katona jakab balog boros fazekas kelemen antal orosz somogyi fulop veres vincze
  hegedus deak balint illes vass szoke fabian voros lengyel bognar hajdu halasz szekely gaspar kozma pasztor bakos dudas orban
  barta horvat kovac kralj krajnc potocnik mlakar vidmar golob zupan bizjak hribar korosec rozman kotnik oblak kastelic zagar
  kosir hocevar zajc medved pirc zorko rupnik popescu ionescu popa dumitru stoica matei ciobanu mocanu barbu lungu dinu ilie
  munteanu rusu toma tudor florea moldovan cristea dobre diaconu anghel nistor sandu neagu ene enache oprea tanase lazar
  dragomir cojocaru sorokin nikitin kalinin fomin galkin lukin savin kostin yudin kulagin kapustin ilyin kuzmin zimin melnyk
  boyko koval bondar moroz lytvyn oliynyk
  papadopoulos papadakis papageorgiou oikonomou georgiou dimitriou nikolaou ioannou konstantinou christodoulou pappas
  karagiannis alexiou athanasiou antoniou makris ioannidis vlachos economou demetriou
  yilmaz kaya demir sahin celik yildiz yildirim ozturk aydin ozdemir arslan dogan kilic aslan cetin kara koc kurt ozkan
  simsek polat ozcan korkmaz cakir erdogan yavuz acar sen aktas guler yalcin gunes bozkurt bulut keskin unal turan ozer isik
  kaplan avci sari tekin tas kose yuksel ates

  haddad khoury nassar hamdan saleh mansour khalil hassan hussein abdullah mahmoud mustafa youssef aziz farouk hakim karam
  nasser rahman saad sabbagh shami tawfik zaki darwish bashir habib jaber kassem qureshi sharif suleiman aboud awad barakat
  hijazi masri halabi najjar khatib hariri jabbour hosseini mohammadi ahmadi rezaei moradi karimi jafari rahimi hashemi
  mousavi ghasemi heidari sadeghi kazemi rostami amini ebrahimi asadi najafi bagheri shirazi tehrani farahani kamali nazari
  soltani akbari azizi yazdani zamani cohen levi mizrahi peretz biton friedman shapiro katz goldberg rosenberg klein
  weinstein rubin kaplan

  patel shah singh kumar sharma gupta verma mehta reddy rao nair iyer iyengar menon pillai joshi desai chopra kapoor malhotra
  khanna bhatia agarwal aggarwal bansal jain mishra pandey tiwari dubey yadav chauhan thakur rajput rathore chaudhary
  choudhury banerjee chatterjee mukherjee bose dutta ghosh sarkar bhattacharya chakraborty ganguly saha basu naidu krishnan
  subramanian venkatesh srinivasan narayanan ramachandran sandhu sidhu dhillon grewal bains kaur ahluwalia khan siddiqui
  sheikh ansari malik chaudhry butt mirza hossain uddin akter begum chowdhury haque perera fernando jayasuriya bandara
  dissanayake gunawardena

  wang zhang liu chen yang huang zhao zhou sun zhu guo gao luo zheng liang xie tang feng deng cao peng zeng xiao tian yuan
  pan jiang cai cheng wei ding shen yao qian bai zou meng xiong qin qiu yin xue duan lei hou shi wong chan cheung leung chow
  tsang yeung lau kwok fung chiu yip lai choi tan lim teo goh ong koh chua tay wee yeo kim park jung jeong kang cho yoon jang
  seo shin kwon hwang ahn yoo jeon baek heo sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato
  yoshida yamada sasaki yamaguchi matsumoto inoue kimura hayashi shimizu yamazaki ikeda hashimoto yamashita ishikawa
  nakajima maeda fujita ogawa goto okada hasegawa murakami kondo ishii saito sakamoto endo aoki fujii nishimura fukuda miura
  fujiwara okamoto matsuda nakagawa nakano harada tamura takeuchi kaneko wada nakayama ishida ueda morita shibata sakai kudo
  yokoyama miyazaki miyamoto uchida takagi ando taniguchi maruyama imai takada fujimoto takeda murata ueno sugiyama masuda
  sugawara hirano otsuka chiba kubo matsui iwasaki sakurai kinoshita noguchi matsuo kikuchi nomura arai tran pham hoang huynh
  phan dang bui ngo duong truong dinh trinh

  okafor okonkwo okeke nwosu eze obi adeyemi okoro abubakar bello musa aliyu ogunleye olawale mensah owusu boateng asante
  osei agyeman appiah darko ofori annan addo mwangi kariuki njoroge wanjiku mutua kiptoo cheruiyot mutai banda phiri mwale
  tembo zulu dlamini nkosi ndlovu khumalo mthembu ngcobo mokoena molefe mahlangu sithole mabaso naidoo botha pretorius venter
  nel coetzee steyn kruger diallo traore diop ndiaye sow cisse keita konate coulibaly kone camara sylla toure sangare bamba
  ouattara kouassi bekele haile alemu tadesse mengistu gebre

  иванов смирнов кузнецов попов петров соколов шевченко ковальчук
  παπαδόπουλος παπαδάκης γεωργίου νικολάου
`;

/** Surnames that are also everyday words or short enough to be anything: they never count alone. */
const AMBIGUOUS_SURNAMES = `
  brown white hall young king hill green reed cook bell gray price wood long ford west rice black rose stone day may love
  page ball bush cross mann moss park little wise fields woods hunt lane marsh drake lamb fox hart grant dean hood gates
  chase wolf banks waters flowers sparks powers summers walls best bond short bishop knight pope cannon chambers holmes
  potter mason hunter farmer barber carpenter butler porter turner baker weaver fisher cooper miller marshall parker carter
  taylor walker rich strong noble key case gay cherry frost snow rivers hope joy ray miles wade clay frank guy dale branch
  bean english french golden glass house head bird bright sweet justice cash battle church moon good small wall sharp
  steele curry savage hardy lowe lucky major sale gill bass cole kirk reeves jung sen can tang lam long mai son ly le do
  vo vu ho lo ng ko oh li ma hu he wu xu yu ye du lu fu su bo
  shin kim lee park moon nam bae han sun song lim tan sim ang goh ono abe ota ito hara mori cao pan bai shi
  kara sari tas kurt koc can acar sen ates unal gal kiss bos vos wit kok boer graf engel busch koch roth jager berger
  klein keller kaiser graf lange braun fuchs vogel haas winter sommer ferrari conte costa fiore serra villa gallo greco
  bruno leone amato negri neri blanco bravo rey cruz lima reis pinto dias neves matos sale marin cano paris martin
  thomas james henry george lewis allen scott morris howard russell lawrence douglas stanley gordon francis gilbert
  jordan spencer austin oliver lucas duncan warren curtis wallace nelson morgan kelly leon franco valencia navarro
  santiago houston washington lincoln jackson madison monroe carson wells waters hughes
`;

/** Words joining the parts of a name (`Ludwig van Beethoven`, `Ibn Battuta`). */
export const NAME_PARTICLES = new Set(['van', 'von', 'de', 'der', 'den', 'da', 'di', 'del', 'della', 'dei', 'le', 'la', 'du', 'des', 'dos', 'das', 'bin', 'binti', 'ibn', 'bint', 'al', 'el', 'ter', 'ten', 'zu', 'af', 'av', 'mac', 'ap', 'y']);

/** Endings that mark a surname in many languages (`-ov`, `-sson`, `-poulos`, `-ević`…), matched on folded text. */
const SURNAME_ENDING = new RegExp(
  [
    // Slavic
    '[a-z]{3,}(?:ov|ova|ev|eva|yev|yeva|ovich|evich|ovna|evna|enko|chuk|yuk|sky|skiy|skii|skaya|ski|ska|cki|cka|dzki|dzka|wicz|owicz|ewicz|vic|vich|ovic|evic|ovski|evski|ova|kova|cek|czyk|czak|zyk)',
    // Nordic, Icelandic, Finnish, Baltic
    '[a-z]{2,}(?:sson|dottir|sdottir|sen|nen|inen|strom|qvist|kvist|gren|lund|blad|aitis|aite|iene|auskas|avicius|evicius|ulis|iute)',
    // Greek, Romanian, Turkish, Armenian, Georgian
    '[a-z]{2,}(?:poulos|opoulou|akis|idis|iadis|escu|eanu|oglu|yan|shvili|dze|adze|idze)',
    // German, Dutch, Jewish, Irish/Scottish prefixes
    '[a-z]{2,}(?:mann|stein|berg|feld|baum|thal|bauer|meyer|meier|mayer|witz|schmidt|huber|hofer)',
    // Spanish and Portuguese patronymics, Italian diminutives, Persian, Sinhala, Japanese
    '[a-z]{3,}(?:ez|az|iz|eira|eiro|aes|etti|otti|elli|ucci|acci|ini|zadeh|pour|nejad|singhe|moto|mura|yama|kawa|gawa|hara|bara|shita|saki|zaki|shima|jima|hashi|bashi|guchi|uchi|tani|naka|oka)',
    // Cyrillic
    '[а-я]{2,}(?:ов|ова|ев|ева|ёв|ёва|ский|ская|цкий|цкая|енко|ук|юк|вич|вна)',
    // Greek
    '[α-ω]{2,}(?:πουλος|πουλου|ακης|ιδης|ιαδης)',
  ]
    .map((p) => `^${p}$`)
    .join('|'),
);

/** Surname shapes that are also ordinary words in English; the ending proves nothing for them. */
const NOT_SURNAME_SHAPED = new Set(
  (
  'above improve approve remove groove previous obvious various serious curious furious glorious nervous hazard wizard lizard ' +
    'blizzard buzzard orchestra dozen citizen frozen oxygen kitchen chosen cousin basin raisin resin robin muffin coffin penguin ' +
    'iceberg iceberge hamburger cheeseburger nuremberg heidelberg luxembourg hamburg gutenberg ' +
    'superman batman spiderman ottoman german shaman human woman gentleman chairman postman fireman doorman walkman ' +
    'martini bikini zucchini linguini fettuccini tortellini panini lamborghini bellini houdini ' +
    'spaghetti confetti graffiti paparazzi ' +
    'ski moskva kosovo kiev kyiv kharkov rostov saratov kirov pavlov chekhov ' +
    'karaoke tsunami yokohama hiroshima okinawa ' +
    'finnish shazam improv geneva supernova essen loosen worsen linen libyan kenyan topaz showbiz janeiro madeira ' +
    'biscotti vermicelli tahini nagasaki fukuoka shizuoka liechtenstein wittenberg wurttemberg neanderthal auschwitz whisky ' +
    'lesson alaska nebraska lessen banyan holstein alcatraz gemini crostini rotini amaretti downpour fukushima ' +
    'telescope microscope stockholm bornholm'
  ).split(/\s+/),
);

/** A folded key: lower case, diacritics dropped, ligatures and special letters spelt out. */
export function nameKey(word: string): string {
  if (/^[A-Za-z]+$/.test(word)) return word.toLowerCase();
  return word
    .toLowerCase()
    .replace(/[ßøæœłđþðı]/g, (c) => ({ ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', þ: 'th', ð: 'd', ı: 'i' })[c] ?? c)
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/’/g, "'");
}

const words = (list: string) => list.split(/\s+/).filter(Boolean).map(nameKey);
const GIVEN = new Set(words(GIVEN_NAMES));
const GIVEN_AMBIGUOUS = new Set(words(AMBIGUOUS_GIVEN));
const FAMILY = new Set(words(SURNAMES));
const FAMILY_AMBIGUOUS = new Set(words(AMBIGUOUS_SURNAMES));

/** How much a word, alone, says about being part of a person's name. */
export type NameClass =
  /** A given name that is not also a common word: `Jennifer`, `Giuseppe`, `Oluwaseun`. */
  | 'given'
  /** A given name that is also a word, place or product: `Grace`, `Victoria`, `Ruby`. */
  | 'given?'
  /** A listed surname, or a word with a surname ending: `Kowalski`, `Nguyen`, `Gunnarsdóttir`. */
  | 'family'
  /** A surname that is also a word: `Brown`, `King`, `Park`. */
  | 'family?'
  | null;

/** The class of one word (any case; hyphenated names are judged by the whole, then the first part). */
export function nameClass(word: string): NameClass {
  if (/^(?:Mc|Mac)\p{Lu}\p{Ll}{2,}$|^Fitz\p{Ll}{3,}$/u.test(word)) return 'family';
  // Serbo-Croatian and Slovene surnames: the accented ending is distinctive (plain "-ic" is English).
  if (/\p{L}{3,}(?:ić|ič)$/u.test(word)) return 'family';
  const key = nameKey(word);
  const given = givenClass(key) ?? (key.includes('-') ? givenClass(key.slice(0, key.indexOf('-'))) : null);
  if (given === 'given') return given;
  const family = familyClass(key) ?? (key.includes('-') ? familyClass(key.slice(key.lastIndexOf('-') + 1)) : null);
  if (family === 'family') return family;
  return given ?? family;
}

function givenClass(key: string): NameClass {
  if (GIVEN_AMBIGUOUS.has(key)) return 'given?';
  return GIVEN.has(key) ? 'given' : null;
}

function familyClass(key: string): NameClass {
  if (FAMILY_AMBIGUOUS.has(key)) return 'family?';
  if (FAMILY.has(key)) return 'family';
  if (key.length >= 5 && SURNAME_ENDING.test(key) && !NOT_SURNAME_SHAPED.has(key)) return 'family';
  if (/^(?:o'|d'|al-|el-)[a-z]{3,}$/.test(key)) return 'family';
  return null;
}

/** Whether a word is a listed surname or has a surname's ending (given names that are also surnames included). */
export function isSurname(word: string): boolean {
  const key = nameKey(word);
  return FAMILY.has(key) || FAMILY_AMBIGUOUS.has(key) || familyClass(key) !== null;
}
